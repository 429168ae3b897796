"""Links what epaper's resolve stage links: corrections both ways, neighbours in the
edition and in a series (Pelican 4 has no neighbours of its own)."""
from pelican import signals


def link(generator):
    by_key = {f"{a.date:%Y-%m-%d}/{a.slug}": a for a in generator.articles}
    series = {}
    editions = {}
    for article in generator.articles:
        editions.setdefault(article.date, []).append(article)
        article.corrected_by = []
        article.original = None
        if getattr(article, "series", None):
            series.setdefault(article.series, []).append(article)
    for article in generator.articles:
        original = by_key.get(getattr(article, "corrects", ""))
        if original is not None:
            article.original = original
            original.corrected_by.append(article)
    for members in editions.values():
        members.sort(key=lambda a: (int(a.printedpage), int(a.order), a.slug))
        _neighbours(members, "edition")
    for members in series.values():
        members.sort(key=lambda a: (a.date, a.slug))
        _neighbours(members, "series")
    generator.context["corrections"] = [a for a in generator.articles if a.articletype == "correction"]


def _neighbours(members, kind):
    for i, article in enumerate(members):
        setattr(article, f"prev_in_{kind}", members[i - 1] if i else None)
        setattr(article, f"next_in_{kind}", members[i + 1] if i + 1 < len(members) else None)


def register():
    signals.article_generator_finalized.connect(link)
