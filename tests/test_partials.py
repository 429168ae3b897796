"""Included layouts kept between pages (epaper/site/partials.py): the masthead is rendered once
an edition, not once a page, and what is kept is what rendering it again would give."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, build_ok, soup, two_editions
from epaper.site import partials
from epaper.site.urls import nav_url

HEAD_EXTRA = """\
{% set acc = [] %}{% for word in ["甲", "乙", "丙"] %}{% do acc.append(word) %}{% include "partials/listed.html" %}{% endfor %}
{% with flag = true %}{% include "partials/flag.html" %}{% endwith %}{% with flag = 1 %}{% include "partials/flag.html" %}{% endwith %}
{% with flag = 0.0 %}{% include "partials/flag.html" %}{% endwith %}{% with flag = -0.0 %}{% include "partials/flag.html" %}{% endwith %}
{% for locale in ["zh-CN", "zh-TW"] %}{% include "partials/hreflang.html" %}{% endfor %}
{% from "partials/vars.html" import greeting with context %}<meta name="greeting" content="{{ greeting }}">
"""

LAYOUTS = {
    "layouts/partials/head_extra.html": HEAD_EXTRA,
    "layouts/partials/listed.html": '<meta name="listed" content="{{ acc | join(",") }}">\n',
    "layouts/partials/flag.html": '<meta name="flag" content="{{ flag }}">\n',
    # `locale` is a layouts' global: a page's loop variable of that name hides it.
    "layouts/partials/hreflang.html": '<meta name="hreflang" content="{{ locale }}">\n',
    # The footer includes the colophon: what the colophon reads is the footer's key too.
    "layouts/partials/colophon.html": '<p class="colophon-url">{{ current_url }}</p>\n',
    "layouts/partials/vars.html": '{% set greeting = "你好，" ~ site.title ~ (edition.number if edition is defined '
                                  'and edition else "") %}\n',
}


def _kept(monkeypatch: pytest.MonkeyPatch) -> dict[str, partials._Kept]:
    """The render functions the build wraps, by layout name."""
    wrapped: dict[str, partials._Kept] = {}
    wrap = partials.IncludeMemo.wrap

    def recording(self: partials.IncludeMemo, template: object) -> None:
        wrap(self, template)  # type: ignore[arg-type]
        function = getattr(template, "root_render_func", None)
        if isinstance(function, partials._Kept):
            wrapped[function.name] = function

    monkeypatch.setattr(partials.IncludeMemo, "wrap", recording)
    return wrapped


def test_the_masthead_is_rendered_once_an_edition_and_index_not_once_a_page(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    wrapped = _kept(monkeypatch)
    result, _ = build_ok(make_site(two_editions()), jobs=1)
    masthead = wrapped["partials/masthead.html"]
    pages = sum(1 for path in result.rendered if path.endswith(".html"))
    renders = masthead.lookups - masthead.hits
    assert masthead.lookups >= pages - 1  # every page but the one without it (404 has it too)
    assert renders <= pages // 2, (renders, pages)


def test_a_kept_layout_gives_the_bytes_rendering_it_again_would(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = make_site({**two_editions(), **LAYOUTS})
    _, kept_out = build_ok(site, tmp_path / "kept", jobs=1)
    monkeypatch.setattr(partials.IncludeMemo, "names", lambda self, name: None)  # nothing kept
    _, plain_out = build_ok(site, tmp_path / "plain", jobs=1)
    files = sorted(p.relative_to(plain_out) for p in plain_out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(kept_out) for p in kept_out.rglob("*") if p.is_file())
    assert [f for f in files if (kept_out / f).read_bytes() != (plain_out / f).read_bytes()] == []


@pytest.mark.parametrize("url", ["2022-11-04/", "2022-11-04/01/", "2022-11-03/youdaizheng/", "archive/",
                                 "sections/yaowen/"])
def test_a_list_a_flag_and_a_set_variable_reach_a_kept_layout_as_they_are_on_each_page(
        make_site: Callable[..., Path], url: str) -> None:
    _, out = build_ok(make_site({**two_editions(), **LAYOUTS}), jobs=1)
    page = soup(out, url)
    # The same list, grown between two includes: kept by its contents it would show 甲 three times.
    assert [m["content"] for m in page.select('meta[name="listed"]')] == ["甲", "甲,乙", "甲,乙,丙"]
    # True == 1 and 0.0 == -0.0 in Python; each renders its own way
    assert [m["content"] for m in page.select('meta[name="flag"]')] == ["True", "1", "0.0", "-0.0"]
    assert [m["content"] for m in page.select('meta[name="hreflang"]')] == ["zh-CN", "zh-TW"]
    number = {"2022-11-04/": "11234", "2022-11-04/01/": "11234", "2022-11-03/youdaizheng/": "11233"}.get(url, "")
    assert page.select_one('meta[name="greeting"]')["content"] == f"你好，测试日报{number}"
    assert page.select_one(".colophon-url").get_text() == url


def test_the_footer_with_the_colophon_it_includes_is_kept_too(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    wrapped = _kept(monkeypatch)
    result, _ = build_ok(make_site(two_editions()), jobs=1)
    footer = wrapped["partials/footer.html"]
    assert set(footer.names) <= {"_", "gettext", "paths", "site", "url"}  # globals alone: the colophon is empty
    assert footer.hits >= footer.lookups - 1 > 0


def test_the_masthead_marks_the_index_a_page_is_part_of(make_site: Callable[..., Path]) -> None:
    files = {**two_editions(), **{f"content/2022/2022-11-04/more{i}.md":
                                  f"---\ntitle: 要闻{i}\npage: 1\nsection: yaowen\n---\n\n正文。\n" for i in range(4)}}
    _, out = build_ok(make_site(files, config=CONFIG), jobs=1)

    def marked(url: str) -> list[str]:
        return [a["href"] for a in soup(out, url).select(".site-nav a[aria-current]")]

    assert marked("sections/yaowen/") == ["/sections/yaowen/"]
    assert marked("sections/yaowen/page/2/") == ["/sections/yaowen/"]
    assert marked("sections/zonghe/") == ["/sections/zonghe/"]
    assert marked("archive/") == ["/archive/"]
    assert marked("corrections/") == ["/corrections/"]
    assert marked("2022-11-04/") == []
    assert marked("2022-11-04/more1/") == []


def test_nav_url_names_the_index_a_url_is_part_of() -> None:
    assert nav_url("sections/yaowen/") == "sections/yaowen/"
    assert nav_url("sections/yaowen/page/3/") == "sections/yaowen/"
    assert nav_url("series/bitan/page/2/") == "series/bitan/"
    assert nav_url("archive/") == "archive/"
    assert nav_url("corrections/") == "corrections/"
    assert nav_url("corrections/feed.xml") == ""
    assert nav_url("2022-11-04/youdaizheng/") == ""
    assert nav_url("") == ""
    assert nav_url("sections/") == ""


def test_a_layout_is_kept_only_when_what_it_names_is_all_it_reads() -> None:
    """What IncludeMemo refuses to keep, and the names it keys on (a review's cases)."""
    import jinja2

    layouts = {
        "self.html": "<title>{{ self.title() }}</title>",  # the blocks of what extends it
        "do.html": "{% set seen = [] %}{% do seen.append(site) %}{{ seen }}",
        "append.html": "{{ edition.pages.append(1) }}",
        "map.html": '{{ ["a", "b"] | map("random") | join }}',
        "items.html": "{{ list_items('x.html', articles) }}",
        "words.html": "{{ _('Archive') }} {{ locale }} {{ site }}",
        "outer.html": '{% include "words.html" %}{{ here }}',
    }
    env = jinja2.Environment(loader=jinja2.DictLoader(layouts), extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    env.globals.update(locale="zh-CN", site="报", list_items=lambda *a: "")
    memo = partials.IncludeMemo(env)
    for name in ("self.html", "do.html", "append.html", "map.html", "items.html"):
        assert memo.names(name) is None, name
    assert memo.names("words.html") == ("_", "gettext", "locale", "site")
    assert memo.names("outer.html") == ("_", "gettext", "here", "locale", "site")
