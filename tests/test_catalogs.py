"""The gettext catalogs: `.po` sources compiled on load, overrides winning message by message."""
from __future__ import annotations

import textwrap
from pathlib import Path

from epaper import catalogs


def _po(folder: Path, locale: str, domain: str, entries: dict[str, str]) -> None:
    body = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in entries.items())
    path = folder / locale / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent('''\
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=UTF-8\\n"
        ''') + body, encoding="utf-8")


def test_chinese_tags_find_their_script_catalog() -> None:
    assert catalogs.locale_candidates("zh-CN")[:2] == ["zh_CN", "zh_Hans_CN"]
    assert "zh_Hant" in catalogs.locale_candidates("zh-TW")
    assert "zh_Hans" not in catalogs.locale_candidates("zh-TW")
    assert catalogs.locale_candidates("en")[0] == "en"


def test_a_site_catalog_overrides_the_theme_message_by_message(tmp_path: Path) -> None:
    theme, site = tmp_path / "theme", tmp_path / "site"
    _po(theme, "zh_Hans", "theme", {"Archive": "往期回顾", "Search": "搜索"})
    _po(site, "zh_CN", "theme", {"Archive": "过刊"})
    tr = catalogs.load("zh-CN", "theme", [site, theme])
    assert tr.gettext("Archive") == "过刊"
    assert tr.gettext("Search") == "搜索"
    assert tr.gettext("Corrections") == "Corrections"


def test_no_catalog_reads_the_english_msgids(tmp_path: Path) -> None:
    _po(tmp_path, "zh_Hans", "theme", {"Archive": "往期回顾"})
    assert catalogs.load("en", "theme", [tmp_path]).gettext("Archive") == "Archive"
    assert catalogs.load("zh-TW", "theme", [tmp_path]).gettext("Archive") == "Archive"
