"""The plain data the stages hand over: parsed records are frozen, and what later stages work
out about them lives in their `links`, which only load and resolve write."""
from __future__ import annotations

import dataclasses

import pytest

from conftest import build_ok, two_editions
from epaper.content.article import parse_article
from epaper.content.markup import MarkdownRenderer
from epaper.model import Article, Edition, Page

FULL = """\
---
title: 全区优待证月底发放到位
page: 2
order: 1
kicker: 引题
subtitle: 副题
authors: [张三, 李四]
byline: 本报记者
dateline: 本报讯
section: yaowen
series: bitan
type: article
image: photo.jpg
caption: 图注
credit: 记者 张三 摄
area: [1, 2, 3, 4]
draft: false
slug: youdaizheng
---

正文，![图](a.jpg "摄影")。
"""


def test_every_parsed_field_is_a_field_of_article() -> None:
    fields, diagnostics = parse_article("content/2022/2022-11-04/a.md", FULL.encode(), MarkdownRenderer())
    assert fields is not None and not [d for d in diagnostics if not d.warning], diagnostics
    fields.pop("html")  # goes to the HTML store, not the record
    names = {f.name for f in dataclasses.fields(Article)}
    assert set(fields) <= names, set(fields) - names
    built = Article(**fields, digest="d1")
    article = Article.from_record(fields, "d1")
    for name in names - {"links"}:
        assert getattr(article, name) == getattr(built, name), name


def test_parsed_records_cannot_be_changed_after_load(make_site) -> None:
    result, _ = build_ok(make_site(two_editions()))
    edition = result.site.editions[-1]
    article, page = edition.articles[0], edition.pages[0]
    for record, name, value in ((article, "title", "x"), (edition, "number", 1), (page, "number", 9)):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, value)
    for kind in (Article, Edition, Page):
        assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert article.edition is edition and page.edition is edition
