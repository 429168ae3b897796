"""Refresh the vendored OpenSeadragon (the zoomable printed page) from npm.

    python scripts/vendor_openseadragon.py            # the pinned VERSION below
    python scripts/vendor_openseadragon.py 6.2.0      # another version: then pin it here

Runs `npm pack openseadragon@VERSION` (npm checks the tarball against the registry's
integrity hash) and copies its minified build and its licence into the default theme,
epaper/theme/static/assets/vendor/openseadragon/. The source-map comment is dropped: the
map is not published, and a browser's developer tools would ask for it. Nothing is fetched
at build time or by readers from anywhere but the site itself."""
from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.1.1"
REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "epaper/theme/static/assets/vendor/openseadragon"
FILES = {"package/build/openseadragon/openseadragon.min.js": "openseadragon.min.js",
         "package/LICENSE.txt": "LICENSE.txt"}


def without_source_map(script: bytes) -> bytes:
    """The script without its `//# sourceMappingURL=` line (the map is not vendored)."""
    lines = script.splitlines(keepends=True)
    return b"".join(line for line in lines if not line.startswith(b"//# sourceMappingURL="))


def main(argv: list[str]) -> int:
    version = argv[0] if argv else VERSION
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"openseadragon@{version}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("openseadragon-*.tgz"))
        with tarfile.open(tarball) as archive:
            found = {name: archive.extractfile(name) for name in FILES}
            TARGET.mkdir(parents=True, exist_ok=True)
            for name, handle in found.items():
                if handle is None:
                    raise SystemExit(f"{tarball.name} has no {name}")
                data = handle.read()
                if name.endswith(".js"):
                    data = without_source_map(data)
                (TARGET / FILES[name]).write_bytes(data)
                print(f"wrote {(TARGET / FILES[name]).relative_to(REPO)} ({len(data)} bytes)")
    if version != VERSION:
        print(f"now pin VERSION = {version!r} in {Path(__file__).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
