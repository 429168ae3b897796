"""The repository's own sample newspaper builds, and every page type is where the contract says."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build_ok, internal_targets, resolves, soup


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("sample")
    for name in ("config.yaml", "content", "layouts", "static"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.exists():
            shutil.copy(source, site / name)
    return site


@pytest.fixture(scope="module")
def out(sample: Path) -> Path:
    return build_ok(sample)[1]


def test_every_page_type_is_at_its_url(out: Path) -> None:
    for url in ["", "2022-11-04/", "2022-11-04/01/", "2022-11-04/02/", "2022-11-03/03/",
                "2022-11-03/youdaizheng/", "sections/yaowen/", "sections/zonghe/", "series/ershida-bitan/",
                "corrections/", "archive/"]:
        soup(out, url)
    assert (out / "404.html").is_file()
    assert not (out / "2022-11-04/1").exists()


def test_home_is_latest_edition_with_canonical_to_dated_url(out: Path) -> None:
    home = soup(out, "")
    assert home.find("link", rel="canonical")["href"] == "https://epaper.example.com/2022-11-04/"
    assert "2022年11月4日 星期五" in home.get_text()


def test_every_internal_link_and_asset_resolves(out: Path) -> None:
    links = internal_targets(out)
    assert len(links) > 100
    broken = [(page, link) for page, link in links if not resolves(out, "/", link)]
    assert broken == []


def test_every_article_of_the_seed_is_published_with_its_front_matter(out: Path) -> None:
    titles = {soup(out, f"2022-11-04/{p.stem}/").find("h1").get_text() for p in
              (REPO / "content/2022/2022-11-04").glob("*.md")}
    assert "在高质量发展中奋力谱写经开区现代化建设新篇章" in titles
    assert "编者按" in titles and "更正启事" in titles
    column = soup(out, "2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/")
    assert "区委常委、金坛经开区党工委书记 杨健" in column.find(class_="byline").get_text()


def test_print_breaks_of_the_seed_are_mended(out: Path) -> None:
    text = soup(out, "2022-11-04/jingkaiqu-xiandaihua-xinpianzhang/").find(class_="article-body").get_text()
    assert "经济社会发展" in text
    assert "“省级自贸联创区”" in text
    brief = soup(out, "2022-11-04/zhengwuban-diaoyan-jiceng-shifandian/").find(class_="article-body")
    first = brief.find("p")
    assert first.find(class_="dateline").get_text() == "本报讯"
    assert "事项进驻" in brief.get_text()


def test_correction_notice_links_both_ways(out: Path) -> None:
    notice = soup(out, "2022-11-04/gengzheng-qishi/")
    links = [a["href"] for a in notice.select(".corrects a")]
    assert links == ["/2022-11-03/youdaizheng/"]
    original = soup(out, "2022-11-03/youdaizheng/")
    aside = original.select_one(".correction-notice")
    assert "2022年11月4日" in aside.get_text()
    assert aside.find("a")["href"] == "/2022-11-04/gengzheng-qishi/"
    toc = soup(out, "2022-11-03/")
    assert toc.select_one(".tag-corrected") is not None
    listed = soup(out, "corrections/")
    assert [a["href"] for a in listed.select(".item-title a")] == ["/2022-11-04/gengzheng-qishi/"]


def test_series_index_lists_note_and_column(out: Path) -> None:
    index = soup(out, "series/ershida-bitan/")
    assert [a.get_text() for a in index.select(".item-title a")] == [
        "编者按", "在高质量发展中奋力谱写经开区现代化建设新篇章"]


def test_sample_site_pages_are_chinese(out: Path) -> None:
    for page in out.rglob("*.html"):
        assert re.search(r'<html lang="zh-CN">', page.read_text(encoding="utf-8")), page


def test_sample_pages_are_their_pdfs_with_an_area_for_every_article(out: Path) -> None:
    """Every printed page of the sample is a page PDF: its image rendered from it, its download,
    and a hotspot for each article (the areas `epaper areas` found on it)."""
    for url, count in (("2022-11-04/01/", 2), ("2022-11-04/02/", 3), ("2022-11-04/03/", 2), ("2022-11-03/03/", 1)):
        page = soup(out, url)
        spots = page.select(".scan-frame a.hotspot")
        items = page.select(".page-articles .item-title a")
        assert len(spots) == len(items) == count, url
        assert sorted(a["href"] for a in spots) == sorted(a["href"] for a in items)
        image = page.select_one(".scan-frame img.scan-image")
        assert image["src"].startswith("/media/") and int(image["width"]) < int(image["height"]), url
        download = page.select_one("a.pdf-download")["href"]
        assert download == f"/{url}{url.replace('/', '-')[:-1]}.pdf", url
        assert (out / download.lstrip("/")).read_bytes()[:5] == b"%PDF-"
    assert len(soup(out, "2022-11-04/").select(".page-thumbs img")) == 3
    assert "并非报纸原版" in soup(out, "2022-11-04/01/").get_text()  # said in words, not only on the images
