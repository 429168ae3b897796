"""Editors' workflow: skeletons that build, and tomorrow's edition committed tonight."""
from __future__ import annotations

import datetime as dt

from conftest import EDITION, article, build_ok, run_cli, two_editions

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_new_edition_and_article_write_a_valid_skeleton(make_site, capsys) -> None:
    site = make_site(two_editions())
    assert run_cli("new", "edition", "2022-11-05", "--site", str(site)) == 0
    edition = site / "content/2022/2022-11-05/edition.yaml"
    assert "{number: 2, name: 综合, section: zonghe}" in edition.read_text(encoding="utf-8")
    assert run_cli("new", "article", "--edition", "2022-11-05", "--page", "2", "--title", "新: 标题",
                   "--site", str(site), "jintian") == 0
    assert run_cli("check", "--site", str(site), "--strict") == 1  # a draft-only edition is a warning
    _, out = build_ok(site, drafts=True)
    page = (out / "2022-11-05/jintian/index.html").read_text(encoding="utf-8")
    assert "新: 标题" in page


def test_new_refuses_duplicates_bad_slugs_and_missing_pages(make_site, capsys) -> None:
    site = make_site(two_editions())
    assert run_cli("new", "edition", "2022-11-04", "--site", str(site), "--messages", "en") == 2
    assert run_cli("new", "article", "--edition", "2022-11-04", "--page", "9", "--site", str(site), "x", "--messages", "en") == 2
    assert run_cli("new", "article", "--edition", "2022-11-04", "--page", "1", "--site", str(site), "Bad Slug", "--messages", "en") == 2
    assert run_cli("new", "article", "--edition", "2022-11-04", "--page", "1", "--site", str(site), "brief", "--messages", "en") == 2
    assert run_cli("new", "article", "--edition", "2030-01-01", "--page", "1", "--site", str(site), "x", "--messages", "en") == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "no page 9" in err and "not a valid slug" in err and "no edition of 2030" in err


def test_future_edition_is_left_out_until_its_publish_time(make_site) -> None:
    files = two_editions()
    files["content/2022/2022-11-05/edition.yaml"] = EDITION.format(date="2022-11-05", number=3) + \
        "publish: 2022-11-05T05:30:00+08:00\n"
    files["content/2022/2022-11-05/a.md"] = article("明日头条", page=1)
    files["content/2022/2022-11-06/edition.yaml"] = EDITION.format(date="2022-11-06", number=4)
    files["content/2022/2022-11-06/b.md"] = article("后天头条", page=1)
    site = make_site(files)
    evening = dt.datetime(2022, 11, 4, 22, 0, tzinfo=SHANGHAI)
    _, out = build_ok(site, now=evening)
    assert not (out / "2022-11-05").exists()
    assert 'href="https://news.example.com/2022-11-04/"' in (out / "index.html").read_text(encoding="utf-8")
    _, out = build_ok(site, now=dt.datetime(2022, 11, 5, 5, 31, tzinfo=SHANGHAI))
    assert (out / "2022-11-05/a/index.html").is_file() and not (out / "2022-11-06").exists()
    _, out = build_ok(site, now=dt.datetime(2022, 11, 6, 0, 0, tzinfo=SHANGHAI))  # default: 00:00 Shanghai
    assert (out / "2022-11-06/b/index.html").is_file()
    _, out = build_ok(site, now=evening, future=True)
    assert (out / "2022-11-06/b/index.html").is_file()


def test_cli_now_and_future_flags(make_site) -> None:
    files = two_editions()
    files["content/2099/edition.yaml"] = EDITION.format(date="2099-01-01", number=1)
    files["content/2099/a.md"] = article("未来", page=1)
    site = make_site(files)
    assert run_cli("build", "--site", str(site)) == 0
    assert not (site / "public/2099-01-01").exists()
    assert run_cli("build", "--site", str(site), "--now", "2099-01-01T00:00:00+08:00") == 0
    assert (site / "public/2099-01-01/a/index.html").is_file()
    assert run_cli("build", "--site", str(site), "--now", "yesterday") == 2
