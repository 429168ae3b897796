"""Hostile strings stay text in every context: HTML, attributes, URLs, Atom and JSON-LD."""
from __future__ import annotations

import json
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup
from test_build import HEAD_SCRIPT, THEME_SCRIPT

from conftest import article, build_ok, soup, two_editions

ED = "content/2022/2022-11-04/"
NASTY = """</script><script>alert("x")</script> & <b>粗</b>\u2028]]> <!--"""


def _site(make_site) -> Path:
    files = two_editions()
    files[ED + "nasty.md"] = article(json.dumps(NASTY), page=1, kicker=json.dumps("<i>引</i>"),
                                     authors=json.dumps([NASTY]), byline=json.dumps('"><svg onload=alert(1)>'),
                                     body="正文 <em>raw</em> & 更多")
    return build_ok(make_site(files))[1]


def test_json_ld_survives_a_title_that_closes_script(make_site) -> None:
    out = _site(make_site)
    page = soup(out, "2022-11-04/nasty/")
    blocks = page.find_all("script", type="application/ld+json")
    assert len(blocks) == 1
    others = [s for s in page.find_all("script") if s.get("type") != "application/ld+json"]
    assert [s for s in others if (s.string and s.string != HEAD_SCRIPT)
            or (not s.string and not THEME_SCRIPT.fullmatch(s.get("src", "")))] == []
    data = json.loads(blocks[0].string)
    assert data["headline"] == NASTY
    assert data["author"] == [{"@type": "Person", "name": NASTY}]
    raw = (out / "2022-11-04/nasty/index.html").read_text(encoding="utf-8")
    block = raw.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block


def test_news_article_structured_data_describes_issue_page_and_correction(make_site) -> None:
    out = _site(make_site)
    original = soup(out, "2022-11-03/youdaizheng/")
    data = json.loads(original.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["datePublished"] == "2022-11-03T00:00:00+08:00"
    assert data["isPartOf"]["@type"] == "PublicationIssue" and data["isPartOf"]["issueNumber"] == "11233"
    assert data["pageStart"] == "1" and data["articleSection"] == "要闻"
    assert data["correction"][0]["@type"] == "CorrectionComment"
    assert data["correction"][0]["datePublished"] == "2022-11-04T00:00:00+08:00"


def test_atom_feeds_parse_and_keep_hostile_titles_as_text(make_site) -> None:
    out = _site(make_site)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert NASTY.replace("\u2028", "").strip() in [t.replace("\u2028", "").strip() for t in titles]
    nasty = next(e for e in feed.entries if e.link.endswith("/2022-11-04/nasty/"))
    assert nasty.author == NASTY.strip() or NASTY.strip() in nasty.author
    assert nasty.published == "2022-11-04T00:00:00+08:00"
    body = BeautifulSoup(nasty.content[0].value, "html.parser")
    assert body.find("em") is None and "<em>raw</em>" in body.get_text()
    for path in ("sections/yaowen/feed.xml", "corrections/feed.xml"):
        parsed = feedparser.parse((out / path).read_bytes())
        assert not parsed.bozo, (path, parsed.bozo_exception)
    corrections = feedparser.parse((out / "corrections/feed.xml").read_bytes())
    assert [e.title for e in corrections.entries] == ["更正启事"]


def test_every_page_links_the_paper_feed_and_sections_link_their_own(make_site) -> None:
    out = _site(make_site)
    for url in ("", "2022-11-04/nasty/", "archive/"):
        links = [link["href"] for link in soup(out, url).find_all("link", type="application/atom+xml")]
        assert "/feed.xml" in links, url
    section = [link["href"] for link in soup(out, "sections/yaowen/").find_all("link", type="application/atom+xml")]
    assert "/sections/yaowen/feed.xml" in section


def test_hostile_byline_cannot_break_out_of_attributes_or_text(make_site) -> None:
    out = _site(make_site)
    page = soup(out, "2022-11-04/nasty/")
    assert page.find(lambda tag: tag.name == "svg" and "qr-code" not in tag.get("class", [])) is None  # the QR code's
    assert page.find("i") is None
    assert '"><svg onload=alert(1)>' in page.select_one(".byline").get_text()
    assert page.find("meta", property="og:title")["content"] == NASTY
