"""Where the default theme lives: every site's layouts/, static/ and catalogs fall back on it."""
from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).parent / "theme"
THEME_DOMAIN = "theme"  # the theme's gettext domain: locales/<locale>/LC_MESSAGES/theme.po


def catalog_folders(site: Path, theme: Path = THEME_DIR) -> list[Path]:
    """Where the theme's words are looked up: a site's layouts/locales/ first (its messages win
    one by one), then the theme's locales/. The site's top level stays content, layouts, static."""
    return [site / "layouts" / "locales", theme / "locales"]
