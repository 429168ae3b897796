"""What readers, crawlers and hosts get beyond the pages: sitemaps, robots.txt, Open Graph,
the archive calendar, the print source line, fingerprinted assets with _headers, and the
search index (built only when HTML changed, never of drafts)."""
from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_incremental import age

from conftest import CONFIG, EDITION, article, build_ok, soup, two_editions, write_files
from epaper.output import search
from epaper.site.assets import fingerprinted

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ED2 = "content/2022/2022-11-02/"
ED4 = "content/2022/2022-11-04/"


def three_editions() -> dict[str, str]:
    files = two_editions()
    files[ED2 + "edition.yaml"] = EDITION.format(date="2022-11-02", number=11232)
    files[ED2 + "old.md"] = article("前天的文章", page=1)
    return files


def urls_of(out: Path, path: str) -> dict[str, str]:
    root = ET.parse(out / path).getroot()
    assert root.tag == f"{SM}urlset"
    return {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}


def test_sitemap_index_lists_every_edition_printed_page_and_article_with_its_date(make_site) -> None:
    files = three_editions()
    files[ED4 + "draft.md"] = article("草稿", page=1, draft="true")
    result, out = build_ok(make_site(files), drafts=True)
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    listed: dict[str, str] = {}
    for entry in index.findall(f"{SM}sitemap"):
        loc = entry.findtext(f"{SM}loc")
        assert loc.startswith("https://news.example.com/sitemaps/")
        listed.update(urls_of(out, loc.removeprefix("https://news.example.com/")))
    base = "https://news.example.com/"
    for edition in result.site.editions:
        day = edition.date.isoformat()
        assert listed[base + edition.url] == day
        for page in edition.pages:
            assert listed[base + page.url] == day
        for item in edition.articles:
            assert (base + item.url in listed) is (not item.draft), item.url
            if not item.draft:
                assert listed[base + item.url] == day
    assert listed[base] == "2022-11-04"
    assert base + "archive/" in listed and base + "sections/yaowen/" in listed
    assert base + "2022-11-04/draft/" not in listed


def test_news_sitemap_has_the_last_two_days_with_publication_and_zoned_dates(make_site) -> None:
    _, out = build_ok(make_site(three_editions()))
    root = ET.parse(out / "news-sitemap.xml").getroot()
    entries = root.findall(f"{SM}url")
    locs = {u.findtext(f"{SM}loc") for u in entries}
    assert "https://news.example.com/2022-11-04/brief/" in locs
    assert "https://news.example.com/2022-11-03/youdaizheng/" in locs
    assert not any("/2022-11-02/" in loc for loc in locs)  # three days before: too old for Google News
    assert len(entries) == 5
    for entry in entries:
        news = entry.find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "测试日报"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "zh-cn"
        assert re.fullmatch(r"2022-11-0[34]T00:00:00\+08:00", news.findtext(f"{NEWS}publication_date"))
        assert news.findtext(f"{NEWS}title")
    titles = {e.findtext(f"{NEWS}news/{NEWS}title") for e in entries}
    assert "全区优待证月底发放到位" in titles


def test_robots_txt_points_at_both_sitemaps_with_absolute_urls(make_site) -> None:
    _, out = build_ok(make_site(two_editions()), base_url="https://example.org/news/")
    lines = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Sitemap: https://example.org/news/sitemap.xml" in lines
    assert "Sitemap: https://example.org/news/news-sitemap.xml" in lines
    assert ET.parse(out / "sitemap.xml").getroot().find(f"{SM}sitemap/{SM}loc").text.startswith(
        "https://example.org/news/sitemaps/")


def test_every_page_has_canonical_and_open_graph(make_site) -> None:
    _, out = build_ok(make_site(two_editions()))
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 20
    for path in pages:
        rel = path.relative_to(out).as_posix()
        doc = soup(out, rel)
        assert doc.html["lang"] == "zh-CN", rel
        canonical = doc.find("link", rel="canonical")["href"]
        assert canonical.startswith("https://news.example.com/"), rel
        og = {m["property"]: m["content"] for m in doc.find_all("meta", property=re.compile("^og:"))}
        assert og["og:url"] == canonical, rel
        assert og["og:site_name"] == "测试日报" and og["og:locale"] == "zh_CN", rel
        assert og["og:title"].strip() and og["og:description"].strip(), rel
        assert og["og:type"] == ("article" if doc.find("article", class_="article") else "website"), rel
    article_page = soup(out, "2022-11-03/youdaizheng/")
    assert article_page.find("meta", property="og:title")["content"] == "全区优待证月底发放到位"
    assert article_page.find("meta", property="article:published_time")["content"] == "2022-11-03T00:00:00+08:00"
    assert soup(out, "").find("link", rel="canonical")["href"] == "https://news.example.com/2022-11-04/"


def test_archive_is_a_calendar_of_month_grids_from_monday(make_site) -> None:
    _, out = build_ok(make_site(three_editions()))
    doc = soup(out, "archive/")
    months = doc.select("table.month")
    assert [m.caption.get_text(" ", strip=True).split()[0] for m in months] == ["2022年11月"]
    month = months[0]
    assert [th.get_text(strip=True)[:1] for th in month.select("thead th")] == list("一二三四五六日")
    assert [th["abbr"] for th in month.select("thead th")][0] == "星期一"
    cells = [td.get_text(strip=True) for td in month.select("tbody td")]
    assert cells[:6] == ["", "1", "2", "3", "4", "5"]  # 1 November 2022 was a Tuesday
    links = {a.get_text(): a["href"] for a in month.select("tbody a")}
    assert links == {"2": "/2022-11-02/", "3": "/2022-11-03/", "4": "/2022-11-04/"}
    assert month.find("td", string="5").find("a") is None  # no edition that day: plain text
    picker = doc.select_one("nav.calendar")  # the calendar date picker opens on the latest edition's month
    assert (picker["data-day"], picker["data-editions"]) == ("2022-11-04", "/editions.json")
    assert picker.select_one("a.calendar-archive")["href"] == "/archive/#m2022-11"  # without JavaScript
    assert json.loads((out / "editions.json").read_text(encoding="utf-8")) == {
        "dates": ["2022-11-02", "2022-11-03", "2022-11-04"]}
    assert soup(out, "2022-11-03/").select_one("nav.calendar")["data-day"] == "2022-11-03"


def test_archive_weekdays_and_source_line_in_english(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("language: zh-CN", "language: en"))
    _, out = build_ok(site)
    heads = [th.get_text(strip=True)[:3] for th in soup(out, "archive/").select("table.month thead th")]
    assert heads == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    line = soup(out, "2022-11-03/youdaizheng/").select_one(".print-source").get_text(" ", strip=True)
    assert line.startswith("测试日报, 3 November 2022, Page 1")


def test_article_has_print_source_line_and_share_box_with_canonical_url(make_site) -> None:
    _, out = build_ok(make_site(two_editions()))
    doc = soup(out, "2022-11-04/brief/")
    source = doc.select_one(".print-source")
    assert source.contents[0].strip() == "《测试日报》2022年11月4日 第2版"
    assert source.select_one(".print-url").get_text() == "https://news.example.com/2022-11-04/brief/"
    assert doc.select_one("#share-url")["value"] == "https://news.example.com/2022-11-04/brief/"
    assert doc.select_one("button.copy-link").has_attr("hidden")  # shown by the script only
    css = (out / doc.find("link", rel="stylesheet")["href"].lstrip("/")).read_text(encoding="utf-8")
    screen, printed = css.split("@media print")
    assert ".print-source { display: none; }" in screen
    assert ".masthead" in printed and ".share" in printed and ".print-source { display: block" in printed


def test_assets_are_fingerprinted_and_headers_cache_them_forever(make_site) -> None:
    files = two_editions()
    files["static/assets/extra.css"] = "p{margin:0}\n"
    files["static/assets/logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>\n"
    files["static/favicon.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>\n"
    site = make_site(files)
    _, out = build_ok(site)
    css = soup(out, "").find("link", rel="stylesheet")["href"]
    match = re.fullmatch(r"/assets/epaper\.([0-9a-f]{8})\.css", css)
    assert match
    content = (out / css.lstrip("/")).read_bytes()
    assert hashlib.blake2b(content, digest_size=4).hexdigest() == match.group(1)
    assert not (out / "assets/epaper.css").exists()
    assert (out / "assets" / fingerprinted("assets/extra.css", b"p{margin:0}\n").split("/")[1]).is_file()
    assert (out / "assets/logo.svg").is_file() and (out / "favicon.svg").is_file()  # only CSS and JS renamed
    rules = parse_headers((out / "_headers").read_text(encoding="utf-8"))
    immutable = "public, max-age=31536000, immutable"
    assert rules[css]["Cache-Control"] == immutable
    assert rules["/pagefind/fragment/*"]["Cache-Control"] == immutable
    for short in ("/", "/feed.xml", "/sitemap.xml", "/news-sitemap.xml", "/pagefind/pagefind.js",
                  "/pagefind/pagefind-entry.json", "/sections/*"):
        assert rules[short]["Cache-Control"] == "public, max-age=0, must-revalidate", short
    assert "/assets/logo.svg" not in rules
    assert "Cache-Control" not in rules["/*"]  # no rule overlaps another for Cache-Control

    write_files(site, {"static/assets/epaper.css": "body{color:navy}\n"})
    result, out = build_ok(site)
    new_css = soup(out, "2022-11-03/").find("link", rel="stylesheet")["href"]
    assert new_css != css and (out / new_css.lstrip("/")).read_text() == "body{color:navy}\n"
    assert not (out / css.lstrip("/")).exists()
    assert "2022-11-03/youdaizheng/index.html" in result.rendered  # pages name the new file


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            assert line not in rules, f"rule {line} twice"
            current = rules[line] = {}
        else:
            name, value = line.strip().split(": ", 1)
            current[name] = value
    return rules


def test_only_published_articles_are_marked_for_the_index(make_site) -> None:
    files = two_editions()
    files[ED4 + "draft.md"] = article("草稿", page=1, draft="true")
    _, out = build_ok(make_site(files), drafts=True)
    assert soup(out, "2022-11-04/brief/").find(attrs={"data-pagefind-body": True}) is not None
    assert soup(out, "2022-11-04/draft/").find(attrs={"data-pagefind-body": True}) is None
    for url in ("", "2022-11-04/", "2022-11-04/01/", "sections/yaowen/", "archive/", "search/"):
        assert soup(out, url).find(attrs={"data-pagefind-body": True}) is None, url
    brief = soup(out, "2022-11-04/brief/")
    assert brief.find(attrs={"data-pagefind-meta": "title"}).get_text() == "简讯一则"
    assert brief.find(attrs={"data-pagefind-filter": "section"}).get_text() == "综合"
    assert brief.find(attrs={"data-pagefind-filter": "year:2022"}) is not None
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh-cn"]["page_count"] == 5  # the five published articles, not the draft


def test_pagefind_runs_only_when_html_changed(make_site, monkeypatch) -> None:
    site = make_site(two_editions())
    age(site)  # out of the racy window, so an unchanged site is seen as unchanged
    runs = []
    real = search.index_pages

    def counting(staging, tmp, members, **options):
        runs.append(members)  # one Pagefind run
        return real(staging, tmp, members, **options)

    monkeypatch.setattr(search, "index_pages", counting)
    _, out = build_ok(site)
    index = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    assert len(runs) == 1 and index
    build_ok(site)  # nothing changed: nothing is read, Pagefind does not run
    assert len(runs) == 1
    write_files(site, {"static/robots-note.txt": "x\n"})  # no HTML changes
    result, out = build_ok(site)
    assert len(runs) == 1
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()} == index
    write_files(site, {ED4 + "brief.md": article("简讯改了", page=2, type="brief")})
    result, out = build_ok(site)
    assert len(runs) == 2
    assert any(p.startswith("pagefind/") for p in result.report.added + result.report.changed)


def test_search_false_builds_no_index_no_search_page_and_no_box(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG + "search: false\n")
    _, out = build_ok(site)
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert soup(out, "").find("form", role="search") is None
    home = soup(out, "")
    assert home.find(attrs={"data-pagefind-body": True}) is None


def test_search_page_and_masthead_box_are_plain_get_forms(make_site) -> None:
    _, out = build_ok(make_site(two_editions()), base_url="https://example.org/news/")
    box = soup(out, "2022-11-04/").find("form", role="search")
    assert box["action"] == "/news/search/" and box["method"] == "get"
    assert box.find("input", type="search")["name"] == "q"
    assert box.find("label")["for"] == box.find("input", type="search")["id"]
    page = soup(out, "search/")
    form = page.select_one("form.search-form")
    assert form["action"] == "/news/search/" and form["data-pagefind"] == "/news/pagefind/pagefind.js"
    assert page.find("noscript") is not None
    assert (out / "pagefind/pagefind.js").is_file()


def test_search_bundle_is_byte_identical_from_one_build_to_the_next(make_site, tmp_path: Path) -> None:
    files = three_editions()
    for i in range(12):  # many filter values: Pagefind's own order of them varies from run to run
        files[f"{ED4}many{i}.md"] = article(f"第{i}篇", page=1 + i % 2, body=f"正文{i}。")
    site = make_site(files)
    digests = []
    for n in range(3):
        _, out = build_ok(site, out=tmp_path / f"out{n}")
        digests.append({p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted((out / "pagefind").rglob("*")) if p.is_file()})
    assert digests[0] == digests[1] == digests[2]
    assert any(p.startswith("pagefind/filter/") for p in digests[0])


@pytest.mark.parametrize("language, code", [("zh-CN", "zh-cn"), ("zh-Hant-TW", "zh-tw"), ("en-GB", "en")])
def test_news_language_codes(make_site, language: str, code: str) -> None:
    site = make_site(two_editions(), config=CONFIG.replace("language: zh-CN", f"language: {language}") + "search: false\n")
    _, out = build_ok(site)
    root = ET.parse(out / "news-sitemap.xml").getroot()
    assert root.find(f"{SM}url/{NEWS}news/{NEWS}publication/{NEWS}language").text == code


def test_a_static_file_cannot_replace_a_generated_robots_txt(make_site) -> None:
    from conftest import build_errors
    files = two_editions()
    files["static/robots.txt"] = "User-agent: *\n"
    assert build_errors(make_site(files)) == ["static/robots.txt:1: would overwrite the page /robots.txt made from robots.txt"]


def test_a_failing_pagefind_is_a_warning_and_the_paper_still_goes_out(make_site, monkeypatch) -> None:
    monkeypatch.setattr(search, "executable", lambda: Path("/bin/false"))
    result, out = build_ok(make_site(two_editions()))
    assert [str(d) for d in result.diagnostics.warnings] == [
        "config.yaml:1: warning: Pagefind failed to index the site: 1; the site is built without a search index"]
    assert (out / "2022-11-04/brief/index.html").is_file() and not (out / "pagefind").exists()


def test_a_static_file_cannot_replace_a_month_sitemap(make_site) -> None:
    from conftest import build_errors
    files = two_editions()
    files["static/sitemaps/2022-11.xml"] = "<urlset/>\n"
    assert build_errors(make_site(files)) == [
        "static/sitemaps/2022-11.xml:1: would overwrite the page /sitemaps/2022-11.xml made from the sitemap"]
