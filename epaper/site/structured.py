"""Machine-readable views of an article and an edition: schema.org JSON-LD and the
moments feeds and structured data need, all in the site's timezone."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from epaper.model import Article, Config, Edition


def edition_moment(edition: Edition, config: Config) -> dt.datetime:
    """An edition's moment: 00:00 of its date in the site's timezone."""
    return dt.datetime.combine(edition.date, dt.time(), tzinfo=ZoneInfo(config.timezone))


def json_for_script(data: Any) -> str:
    """JSON safe inside <script>: '</script>', '<!--' and '&' cannot end or confuse the block."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def news_article(article: Article, config: Config, abs_url: Callable[[str], str]) -> dict[str, Any]:
    """schema.org NewsArticle: headline, dates, authors, section, the issue and page it was printed in."""
    edition = article.edition
    assert edition is not None
    published = edition_moment(edition, config).isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": abs_url(article.url),
        "mainEntityOfPage": abs_url(article.url),
        "datePublished": published,
        "inLanguage": config.language,
        "publisher": {"@type": "Organization", "name": config.title},
        "isPartOf": {
            "@type": "PublicationIssue",
            "datePublished": edition.date.isoformat(),
            "url": abs_url(edition.url),
            **({"issueNumber": str(edition.number)} if edition.number else {}),
            "isPartOf": {"@type": "Periodical", "name": config.title},
        },
        "pageStart": str(article.page_number),
    }
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    elif article.byline:
        data["author"] = {"@type": "Organization", "name": article.byline}
    if article.section:
        data["articleSection"] = article.section.name
    if article.summary:
        data["description"] = article.summary
    if article.lead:
        lead = article.lead.src
        data["image"] = {"@type": "ImageObject", "url": abs_url(lead.path), "width": lead.width, "height": lead.height,
                         **({"caption": article.caption} if article.caption else {}),
                         **({"creditText": article.credit} if article.credit else {})}
    if article.corrections:
        data["correction"] = [{
            "@type": "CorrectionComment",
            "datePublished": edition_moment(notice.edition, config).isoformat() if notice.edition else published,
            "text": notice.summary,
            "url": abs_url(notice.url),
        } for notice in article.corrections]
    return data
