"""Pictures with Pillow: probe and verify source files, plan and make their renditions.
No HTML here (templates do that) and no site model beyond plain records.

A source file is known by its content hash. Probing it (its format and upright size,
and a full decode, so a truncated file fails here, at its PATH:LINE, and not halfway
through writing) is cached by the file's stat in the build cache. Each rendition is
made once and kept in .epaper-cache/images/ under a name made of the source's hash,
the width and the way it was made (this file and Pillow's version): a second build,
or a build into another folder, makes no new image."""
from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from types import MappingProxyType
from typing import cast

import PIL
from PIL import Image, ImageOps

from epaper import messages as M
from epaper import parallel
from epaper.content.reader import read_regular
from epaper.errors import Text
from epaper.model import Download, Picture, Rendition
from epaper.output.cache import RACY_NS, digest
from epaper.pdf import render as pdf_render

SCAN_WIDTHS = (800, 1600)  # a printed page: phone and desktop/HiDPI
PHOTO_WIDTHS = (640, 1280)  # an article photo: the text column, and twice that
ZOOM_WIDTH = 3200  # a printed page zoomed in: small type sharp at four times the desktop width
THUMB_WIDTH = 320  # page thumbnails on the edition page, photo thumbnails in lists
JPEG_QUALITY = 82
IMAGE_FORMATS = MappingProxyType({"JPEG": "jpg", "PNG": "png"})
RENDITION_MS = 6.0  # decoding, resizing and encoding one rendition of a scan, about
MAX_PIXELS = 120_000_000  # a 600 dpi broadsheet page is about 100 megapixels

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class MediaRecord:
    """One image or PDF file as last seen: its stat, hash and what probing it found."""

    size: int
    mtime_ns: int
    sha: str
    kind: str  # "image" or "pdf": what it was probed as
    format: str = ""  # JPEG, PNG or PDF
    width: int = 0  # upright (EXIF orientation applied)
    height: int = 0
    has_alpha: bool = False
    problem: str | Text = ""  # why it cannot be used; empty when it can
    pages: int = 0  # a PDF's page count
    unrenderable: str | Text = ""  # why a PDF cannot be drawn as the page image (it may still be offered as is)
    racy: bool = False  # modified too close to when it was read: probe again next time
    ctime_ns: int = 0  # the inode's change time: an mtime put back (touch -r, rsync -t) still shows


def probe(path: str, kind: str) -> MediaRecord:
    """Read, hash and check one file as an image (JPEG or PNG) or as a PDF."""
    with warnings.catch_warnings():  # Pillow's warnings about odd metadata are not the editor's concern
        warnings.simplefilter("ignore")
        return _probe(path, kind)


def _probe(path: str, kind: str) -> MediaRecord:
    st = os.stat(path)
    with open(path, "rb") as handle:
        data = handle.read()
    racy = max(st.st_mtime_ns, st.st_ctime_ns) >= time.time_ns() - RACY_NS
    record = MediaRecord(st.st_size, st.st_mtime_ns, digest(data), kind, racy=racy, ctime_ns=st.st_ctime_ns)
    if kind == "pdf":
        if data.startswith(b"%PDF-"):
            record.format = "PDF"
            info = pdf_render.inspect(data)  # its first page may become the page image
            record.pages, record.width, record.height = info.pages, info.width, info.height
            record.unrenderable = info.problem
        else:
            record.problem = M.NOT_A_PDF()
        return record
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format is None or image.format not in IMAGE_FORMATS:
                record.problem = M.NOT_AN_IMAGE_FORMAT(format=image.format or M.UNKNOWN_FORMAT())
                return record
            record.format = image.format
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise Image.DecompressionBombError(image.size)
            orientation = image.getexif().get(0x0112, 1)
            image.load()  # a full decode: truncated or damaged files fail here
            width, height = image.size
            record.has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    except Image.DecompressionBombError:
        record.problem = M.IMAGE_TOO_LARGE(megapixels=MAX_PIXELS // 1_000_000)
        return record
    except Exception as exc:  # noqa: BLE001 - any bytes at all may come in: every failure is "damaged"
        known = data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
        record.problem = M.IMAGE_DAMAGED(detail=str(exc)) if known else M.NOT_AN_IMAGE()
        return record
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn: the camera's width is the height
        width, height = height, width
    record.width, record.height = width, height
    return record


def picture(source: str, record: MediaRecord, widths: tuple[int, ...], zoom: int = 0) -> Picture:
    """The renditions a source image gets: these widths (never wider than itself) and a thumbnail;
    with `zoom`, one more level that wide for the zoomable page, when it is wider than the widest
    width. A PDF is drawn at any width (it is vector), a scan never beyond its own pixels."""
    ext = "png" if record.has_alpha else "jpg"
    fmt = "PNG" if record.has_alpha else "JPEG"

    def rendition(width: int, cap: int = record.width) -> Rendition:
        width = min(width, cap)
        height = max(1, round(record.height * width / record.width))
        return Rendition(f"media/{record.sha[:20]}-{width}.{ext}", width, height, source, record.sha, fmt)

    renditions = {r.width: r for r in (rendition(w) for w in widths)}
    shown = tuple(renditions[w] for w in sorted(renditions))
    deep = rendition(zoom, zoom if record.format == "PDF" else record.width) if zoom else None
    return Picture(source, record.sha, record.width, record.height, shown, rendition(THUMB_WIDTH),
                   (deep,) if deep and deep.width > shown[-1].width else ())


def download(path: str, source: str, record: MediaRecord) -> Download:
    return Download(path, source, record.sha, record.size)


def recipe() -> str:
    """The rendition recipe, public: the build keys the output's renditions by it too."""
    return _recipe()


@lru_cache(maxsize=1)
def _recipe() -> str:
    """How renditions are made: a change to this code or to Pillow makes them anew."""
    return digest(Path(__file__).read_bytes() + PIL.__version__.encode() + pdf_render.recipe().encode())[:12]


class RenditionCache:
    """Rendition bytes by source hash, width and recipe, in .epaper-cache/images/."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.made = 0  # renditions made by Pillow in this build (the rest came from the cache)

    def name(self, rendition: Rendition) -> str:
        return f"{rendition.sha}-{rendition.width}-{_recipe()}.{IMAGE_FORMATS[rendition.format]}"

    def keep(self, rendition: Rendition) -> None:
        """The output kept its copy: the cached one is still wanted (not pruned)."""
        self.used.add(self.name(rendition))

    def get(self, rendition: Rendition, source_path: Path) -> bytes:
        """The rendition's bytes: from the cache, else made (and kept) now."""
        name = self.name(rendition)
        self.used.add(name)
        path = self.folder / name
        try:
            kept = unseal(read_regular(path))  # a FIFO put in the cache is refused, never opened
            if kept is not None:
                return kept
        except OSError:
            pass  # not made yet; a damaged or altered one is made again, never published
        data = source_path.read_bytes()
        if digest(data) != rendition.sha:
            raise ChangedDuringBuild(rendition.source)
        content = make(data, rendition)
        self.made += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        temporary.write_bytes(seal(content))
        os.replace(temporary, path)
        return content

    def fill(self, wanted: list[tuple[Rendition, Path]], workers: int) -> None:
        """Make the renditions the cache lacks in `workers` processes, when there are enough of
        them to be worth it (a first build of an archive); `get` then finds them made."""
        todo = [(str(self.folder / self.name(r)), r, str(path)) for r, path in dict(wanted).items()
                if not (self.folder / self.name(r)).exists()]
        workers = parallel.workers_for(len(todo), RENDITION_MS, workers)
        if workers == 1:
            return  # `get` makes each one as it is asked for
        self.folder.mkdir(parents=True, exist_ok=True)
        self.made += sum(parallel.fan_out(_make_all, None, todo, workers))

    def prune(self) -> None:
        """Forget renditions no page uses any more (after a build that wrote every one it needs)."""
        if not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if entry.name not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _make_all(_: None, tasks: Sequence[tuple[str, Rendition, str]]) -> int:
    """In a worker: make its share of renditions into the cache; how many it made."""
    return sum(_make_into(task) for task in tasks)


def _make_into(task: tuple[str, Rendition, str]) -> int:
    """In a worker: make one rendition into the cache (1), or leave it to `get` to report (0)."""
    target, rendition, source = task
    try:
        data = Path(source).read_bytes()
    except OSError:
        return 0
    if digest(data) != rendition.sha:
        return 0
    temporary = f"{target}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(seal(make(data, rendition)))
    os.replace(temporary, target)
    return 1


SEAL = b"\nepaper-rendition "  # then the hash of the bytes before it


def seal(content: bytes) -> bytes:
    """A rendition as kept in the cache: its bytes, then their hash, checked before publishing."""
    return content + SEAL + digest(content).encode()


def unseal(kept: bytes) -> bytes | None:
    """The rendition's bytes when they match their hash; None for a damaged or foreign file."""
    content, found, sha = kept.rpartition(SEAL)
    return content if found and digest(content).encode() == sha else None


class ChangedDuringBuild(Exception):
    """A source image's bytes are no longer those probed: the next build will see the new ones."""


def make(data: bytes, rendition: Rendition) -> bytes:
    """Resize one source image (upright, without its metadata but with its colour profile)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _make(data, rendition)


def _make(data: bytes, rendition: Rendition) -> bytes:
    if data.startswith(b"%PDF-"):  # a page image drawn from the page's PDF
        out = BytesIO()
        pdf_render.render(data, rendition.width, rendition.height).save(
            out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, subsampling="4:2:0")
        return out.getvalue()
    with Image.open(BytesIO(data)) as image:
        size = (rendition.width, rendition.height)
        if image.format == "JPEG":  # decode at a reduced scale when that is still big enough
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            image.draft("RGB", (size[1], size[0]) if turned else size)
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        upright, icc = _to_srgb(upright, icc)
        upright = displayable(upright)
        if rendition.format == "PNG":
            upright = upright.convert("RGBA")
        elif upright.mode != "RGB":
            upright = _flatten(upright)
        if upright.size != size:
            upright = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = BytesIO()
        if rendition.format == "PNG":
            upright.save(out, "PNG", optimize=False, compress_level=9, icc_profile=icc)
        else:
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                         subsampling="4:2:0", icc_profile=icc)
        return out.getvalue()


WIDE_GREY = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def displayable(image: Image.Image) -> Image.Image:
    """An 8-bit image of a 16-bit, 32-bit or float greyscale one (other modes unchanged):
    Pillow's own conversion clips such values at 255, so a 16-bit grey of 40000 came out
    white. 16- and 32-bit integers are read as 0-65535 (a 16-bit PNG); floats as 0-1 when
    they all lie there, else as 0-255."""
    if image.mode not in WIDE_GREY:
        return image
    if image.mode == "F":
        low, high = cast(tuple[float, float], image.getextrema())  # one band: (min, max)
        scale = 255.0 if low >= 0.0 and high <= 1.0 else 1.0
    else:
        image = image.convert("I") if image.mode != "I" else image
        scale = 255.0 / 65535.0
    return image.point(lambda value: value * scale + 0.5).convert("L")


def _to_srgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """A profile is kept only with the RGB pixels it describes: a CMYK or grey profile
    attached to the RGB rendition would make browsers show wrong colours (or none). CMYK
    is converted through its profile when it has one."""
    if not icc:
        return image, None
    try:
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        if space == "RGB":
            return image, icc
        if space == "CMYK" and image.mode == "CMYK":
            converted = ImageCms.profileToProfile(image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                return converted, None
    except Exception:  # noqa: BLE001 - a damaged profile: plain conversion, without it
        pass
    return image, None


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: greyscale and CMYK converted, any transparency laid on white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")
