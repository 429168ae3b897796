"""Where the default theme lives: every site's layouts/ and static/ fall back on it file by file."""
from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).parent / "theme"
