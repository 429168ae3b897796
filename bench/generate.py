#!/usr/bin/env python3
"""Deterministic benchmark corpus: one newspaper archive of N articles, written
as an epaper site, a Hugo site and a Pelican site, so the three tools are timed
on the same articles and comparable pages (see BENCHMARKS.md, "Equivalence").

    python bench/generate.py --articles 1000 --out bench/.work/1000

The same seed gives the same bytes whatever tools are asked for: one random
stream feeds every article, and each article is written to every site."""
from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TEMPLATES = BENCH / "sites"  # the fixed parts of the Hugo and Pelican sites
# All three sites ship epaper's own stylesheet, copied at generation time (not a stale copy).
STYLESHEET = REPO / "epaper" / "theme" / "static" / "assets" / "epaper.css"
EPAPER_FOOTER = REPO / "epaper" / "theme" / "layouts" / "partials" / "footer.html"
TOOLS = ("epaper", "hugo", "pelican")
SEED = 20221104
PER_DAY = 20
START = dt.date(2010, 1, 1)  # 100,000 articles end in 2023: every edition is already published
TITLE = "基准日报"
BASE_URL = "https://epaper.example.com/"

SECTIONS = [("yaowen", "要闻"), ("zonghe", "综合"), ("jingji", "经济"), ("minsheng", "民生"),
            ("shehui", "社会"), ("wenhua", "文化"), ("tiyu", "体育"), ("pinglun", "评论")]
SERIES = [("ershida-bitan", "学习贯彻党的二十大精神笔谈"), ("xiangcun-zhenxing", "乡村振兴一线行"),
          ("qiye-fangtan", "走进重点企业"), ("minsheng-shishi", "民生实事面对面")]
# Printed page N shows section SECTIONS[N-1]; slots per page add up to PER_DAY.
SLOTS = [3, 3, 3, 3, 2, 2, 2, 2]

# Newspaper vocabulary: sentences are random clauses of these words.
WORDS = """
高质量发展 新时代 现代化 经济社会 产业升级 科技创新 乡村振兴 城市更新 民生实事 基层治理
营商环境 项目建设 招商引资 数字经济 绿色低碳 生态环境 文明城市 公共服务 社会保障 医疗卫生
教育事业 文化惠民 体育健身 交通网络 水利设施 安全生产 防汛抗旱 疫情防控 稳岗就业 创业就业
人才队伍 干部群众 党员干部 企业家 农业农村 特色产业 先进制造业 新能源 智能装备 新材料
全区上下 各部门 各板块 街道社区 村居 重点工程 重大项目 示范区 开发区 产业园
持续推进 深入实施 加快建设 全面落实 不断完善 大力发展 积极探索 扎实开展 切实加强 稳步提升
统筹协调 精准施策 提质增效 创新驱动 协同发展 融合发展 开放合作 改革攻坚 服务保障 示范引领
取得明显成效 迈出坚实步伐 交出高分答卷 形成良好氛围 打下坚实基础 注入强劲动能 提供有力支撑
群众获得感 幸福感 安全感 满意度 参与度 覆盖面 知晓率 完成率 增长率 贡献率
今年以来 近年来 下一步 截至目前 与此同时 据了解 记者了解到 据介绍 在此基础上 总体来看
一季度 上半年 前三季度 全年 同比增长 环比增长 累计完成 超额完成 位居前列 创历史新高
志愿服务 文明实践 老旧小区 背街小巷 垃圾分类 河道整治 农田水利 高标准农田 美丽乡村 特色小镇
产业链 供应链 创新链 人才链 资金链 服务链 价值链 生态链 数字化转型 智能化改造
"""
VOCAB = WORDS.split()
KICKERS = ["聚焦高质量发展", "奋进新征程", "一线观察", "走基层", "关注民生", "今日关注", "深度调查", "特别报道"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌宇浩凯鹏晨阳"


@dataclass
class Article:
    """One article's metadata and body; the same values go into all three sites."""

    index: int  # 1-based position in the archive
    date: dt.date
    slug: str
    title: str
    page: int
    order: int
    section: str  # the section the article is listed in
    section_override: bool  # True when front matter names a section other than its page's
    series: str | None
    kicker: str
    authors: list[str]
    byline: str
    dateline: str
    type: str
    corrects: Article | None
    body: str = field(repr=False)

    @property
    def key(self) -> str:
        """DATE/SLUG, how epaper's `corrects:` names an article."""
        return f"{self.date.isoformat()}/{self.slug}"


@dataclass
class Corpus:
    """What was generated, without bodies: enough for tests and the benchmark's edits."""

    size: int
    dates: list[dt.date]
    articles: list[Article]  # bodies dropped once written, to keep 100,000 articles small

    @property
    def corrections(self) -> list[Article]:
        return [a for a in self.articles if a.type == "correction"]

    @property
    def newest(self) -> list[Article]:
        """The last edition's articles: the nightly publish the benchmark times."""
        return [a for a in self.articles if a.date == self.dates[-1]]


# ------------------------------------------------------------------ text


def _sentence(rng: random.Random) -> str:
    clauses = ["".join(rng.choices(VOCAB, k=rng.randint(3, 6))) for _ in range(rng.randint(2, 4))]
    return "，".join(clauses) + "。"


def _paragraph(rng: random.Random, target: int) -> str:
    text = ""
    while len(text) < target - 25:  # a sentence averages ~50 characters: stop about half-way over
        text += _sentence(rng)
    return text


def _body(rng: random.Random, dateline: str) -> str:
    """~1,500 characters in 6-10 paragraphs; some wrapped over two lines as editors do."""
    count = rng.randint(6, 10)
    total = rng.randint(1350, 1650) - len(dateline)
    paragraphs = []
    for _ in range(count):
        text = _paragraph(rng, max(40, total // count + rng.randint(-40, 40)))
        if rng.random() < 0.3:  # a soft break between two CJK characters: must be joined
            cut = len(text) // 2
            text = text[:cut] + "\n" + text[cut:]
        paragraphs.append(text)
    return "\n\n".join(paragraphs) + "\n"


def _title(rng: random.Random) -> str:
    return "".join(rng.choices(VOCAB, k=rng.randint(2, 4)))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))


def _correction_body(original: Article) -> str:
    d = original.date
    return (f"{d.month}月{d.day}日本报{original.page}版《{original.title}》一文中，"
            f"“{VOCAB[original.index % len(VOCAB)]}”应为“{VOCAB[(original.index + 7) % len(VOCAB)]}”，特此更正。\n")


# ------------------------------------------------------------------ corpus


def _day_articles(rng: random.Random, date: dt.date, first: int, count: int,
                  correction: bool, history: list[Article], corrected: set[int]) -> list[Article]:
    """One edition's articles; with `correction`, its last slot corrects an earlier article."""
    slots = [(page, order) for page, n in enumerate(SLOTS, start=1) for order in range(1, n + 1)][:count]
    result = []
    for k, (page, order) in enumerate(slots):
        index = first + k
        kind = rng.choices(["article", "note", "brief"], weights=[85, 3, 12])[0]
        dateline = "本报讯" if kind == "brief" or rng.random() < 0.4 else ""
        section = SECTIONS[page - 1][0]
        override = rng.random() < 0.03
        if override:
            section = rng.choice([s for s, _ in SECTIONS if s != section])
        authors = [_name(rng) for _ in range(rng.randint(1, 2))] if rng.random() < 0.7 else []
        article = Article(
            index=index, date=date, slug=f"a{index:06d}", title=_title(rng), page=page, order=order,
            section=section, section_override=override,
            series=rng.choice(SERIES)[0] if rng.random() < 0.04 else None,
            kicker=rng.choice(KICKERS) if rng.random() < 0.1 else "",
            authors=authors, byline="本报记者" if authors and rng.random() < 0.6 else "",
            dateline=dateline, type=kind, corrects=None, body="",
        )
        if correction and k == len(slots) - 1:
            recent = [a for a in history[-30 * PER_DAY:] if a.type != "correction" and a.index not in corrected]
            original = rng.choice(recent)
            corrected.add(original.index)
            article.type, article.corrects, article.series = "correction", original, None
            article.title, article.kicker, article.dateline = "更正启事", "", ""
            article.authors, article.byline = [], "本报编辑部"
            article.body = _correction_body(original)
        else:
            article.body = _body(rng, article.dateline)
        result.append(article)
    return result


def _correction_days(days: int, size: int) -> set[int]:
    """About 1% of articles, at least one, spread over every edition but the first."""
    if days < 2:
        return set()
    count = min(days - 1, max(1, round(size / 100)))
    return {1 + (k * (days - 1)) // count for k in range(count)}


def generate(size: int, dest: Path, tools: tuple[str, ...] = TOOLS, seed: int = SEED,
             epaper_footer: Path = EPAPER_FOOTER, hold_newest: bool = False) -> Corpus:
    """Write the sites for `tools` under dest/TOOL/ (replacing them) and return the corpus.
    `epaper_footer` is the theme footer the epaper site overrides (the epaper being timed).
    With `hold_newest`, the last edition goes to held_newest(dest, TOOL) instead, at the same
    paths relative to it as in the site, so the benchmark can copy it in as the nightly publish."""
    unknown = set(tools) - set(TOOLS)
    if unknown:
        raise ValueError(f"unknown tools: {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    days = math.ceil(size / PER_DAY)
    dates = [START + dt.timedelta(days=d) for d in range(days)]
    sites: list[_Writer] = []
    for tool in tools:
        root = dest / tool
        for folder in (root, held_newest(dest, tool)):
            if folder.exists():
                shutil.rmtree(folder)
        root.mkdir(parents=True)
        sites.append(_EpaperWriter(root, epaper_footer) if tool == "epaper"
                     else _HugoWriter(root) if tool == "hugo" else _PelicanWriter(root))
    history: list[Article] = []
    corrected: set[int] = set()
    correction_days = _correction_days(days, size)
    for day, date in enumerate(dates):
        count = min(PER_DAY, size - day * PER_DAY)
        articles = _day_articles(rng, date, day * PER_DAY + 1, count, day in correction_days, history, corrected)
        held = hold_newest and day == days - 1
        for tool, site in zip(tools, sites, strict=True):
            site.edition(day, date, articles, held_newest(dest, tool) if held else None)
        for article in articles:
            article.body = ""
        history.extend(articles)
    return Corpus(size=size, dates=dates, articles=history)


def edited_article(corpus: Corpus) -> Article:
    """The article whose body the benchmark edits: a plain article in the middle of the archive,
    not in the newest edition (which the benchmark holds back for its nightly publish)."""
    middle = len(corpus.articles) // 2
    return next(a for a in corpus.articles[middle:] + corpus.articles
                if a.type == "article" and a.date != corpus.dates[-1])


def article_file(tool: str, site: Path, article: Article) -> Path:
    """Where `article` lives in the site of `tool`."""
    day = article.date.isoformat()
    if tool == "epaper":
        return site / "content" / str(article.date.year) / day / f"{article.slug}.md"
    if tool == "hugo":
        return site / "content" / "editions" / day / f"{article.slug}.md"
    return site / "content" / str(article.date.year) / day / f"{article.slug}.md"


def article_output(tool: str, site: Path, article: Article) -> Path:
    """The built page of `article`: the benchmark checks that an edit reached it."""
    day = article.date.isoformat()
    if tool == "hugo":
        return site / "public" / "editions" / day / article.slug / "index.html"
    return site / ("public" if tool == "epaper" else "output") / day / article.slug / "index.html"


def held_newest(dest: Path, tool: str) -> Path:
    """The side folder generate(hold_newest=True) writes the newest edition of `tool` into."""
    return dest / f"{tool}.newest"


def edition_folder(tool: str, site: Path, date: dt.date) -> Path:
    """The folder holding one edition's sources (and nothing else) in the site of `tool`."""
    if tool == "hugo":
        return site / "content" / "editions" / date.isoformat()
    return site / "content" / str(date.year) / date.isoformat()


def set_search(site: Path, on: bool) -> None:
    """Switch the epaper site's search index on or off (its config's `search:` line)."""
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = "search: true" if on else "search: false  # Hugo and Pelican build no search index: time the same work"
    new = re.sub(r"^search: .*$", line, text, count=1, flags=re.M)
    if new != text:
        config.write_text(new, encoding="utf-8")


def footer_file(tool: str, site: Path) -> Path:
    """The layout the benchmark edits: the footer partial every page includes."""
    return {"epaper": site / "layouts" / "partials" / "footer.html",
            "hugo": site / "layouts" / "_partials" / "footer.html",
            "pelican": site / "theme" / "templates" / "footer.html"}[tool]


# ------------------------------------------------------------------ writers


class _Writer(Protocol):
    def edition(self, day: int, date: dt.date, articles: list[Article], root: Path | None = None) -> None:
        """Write one edition's sources under `root` (default: the site)."""


def _q(text: str) -> str:
    """A YAML double-quoted scalar (our text has no backslashes or double quotes)."""
    return f'"{text}"'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class _EpaperWriter:
    """epaper's content contract: config.yaml, content/YYYY/DATE/{edition.yaml,SLUG.md}."""

    def __init__(self, root: Path, footer: Path = EPAPER_FOOTER) -> None:
        self.root = root
        lines = [f"title: {TITLE}", f"base_url: {BASE_URL}", "language: zh-CN", "timezone: Asia/Shanghai",
                 "paginate: 20",
                 "search: false  # Hugo and Pelican build no search index: time the same work",
                 "sections:"]
        lines += [f"  - {{slug: {slug}, name: {name}}}" for slug, name in SECTIONS]
        lines += ["series:"] + [f"  - {{slug: {slug}, name: {name}}}" for slug, name in SERIES]
        _write(root / "config.yaml", "\n".join(lines) + "\n")
        # A site-local copy of the theme's footer: the layout the benchmark edits.
        _write(footer_file("epaper", root), footer.read_text(encoding="utf-8"))

    def edition(self, day: int, date: dt.date, articles: list[Article], root: Path | None = None) -> None:
        folder = edition_folder("epaper", root or self.root, date)
        pages = "\n".join(f"  - {{number: {n}, name: {SECTIONS[n - 1][1]}, section: {SECTIONS[n - 1][0]}}}"
                          for n in range(1, len(SLOTS) + 1))
        _write(folder / "edition.yaml", f"date: {date.isoformat()}\nnumber: {10000 + day}\npages:\n{pages}\n")
        for a in articles:
            lines = ["---", f"title: {_q(a.title)}", f"page: {a.page}", f"order: {a.order}"]
            if a.section_override:
                lines.append(f"section: {a.section}")
            if a.series:
                lines.append(f"series: {a.series}")
            if a.kicker:
                lines.append(f"kicker: {_q(a.kicker)}")
            if a.authors:
                lines.append(f"authors: [{', '.join(a.authors)}]")
            if a.byline:
                lines.append(f"byline: {_q(a.byline)}")
            if a.dateline:
                lines.append(f"dateline: {a.dateline}")
            lines.append(f"type: {a.type}")
            if a.corrects:
                lines.append(f"corrects: {a.corrects.key}")
            lines += ["---", "", a.body]
            _write(folder / f"{a.slug}.md", "\n".join(lines))


class _HugoWriter:
    """A Hugo site: editions are sections (content/editions/DATE/), sections, series and
    printed pages are taxonomies; layouts come from bench/sites/hugo/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(TEMPLATES / "hugo", root, dirs_exist_ok=True)
        (root / "static" / "assets").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STYLESHEET, root / "static" / "assets" / "style.css")
        content = root / "content"
        _write(content / "_index.md", f"---\ntitle: {TITLE}\n---\n")
        _write(content / "editions" / "_index.md", "---\ntitle: 往期\n---\n")
        _write(content / "archive.md", "---\ntitle: 往期回顾\nlayout: archive\n---\n")
        _write(content / "corrections.md", "---\ntitle: 更正\nlayout: corrections\n---\n")
        for slug, name in SECTIONS:  # section terms also get a feed, as epaper's do
            _write(content / "sections" / slug / "_index.md", f"---\ntitle: {name}\noutputs: [html, rss]\n---\n")
        for slug, name in SERIES:
            _write(content / "series" / slug / "_index.md", f"---\ntitle: {name}\n---\n")

    def edition(self, day: int, date: dt.date, articles: list[Article], root: Path | None = None) -> None:
        folder = edition_folder("hugo", root or self.root, date)
        pages = "\n".join(f"  - {{number: {n}, name: {SECTIONS[n - 1][1]}, section: {SECTIONS[n - 1][0]}}}"
                          for n in range(1, len(SLOTS) + 1))
        _write(folder / "_index.md", f"---\ntitle: {_q(date.isoformat())}\ndate: {date.isoformat()}\n"
                                     f"number: {10000 + day}\npages:\n{pages}\n---\n")
        for a in articles:
            lines = ["---", f"title: {_q(a.title)}", f"date: {date.isoformat()}", f"weight: {a.page * 100 + a.order}",
                     f"page: {a.page}", f"order: {a.order}", f"articletype: {a.type}",
                     f"sections: [{a.section}]", f"printed: [{_q(f'{date.isoformat()}-{a.page:02d}')}]"]
            if a.series:
                lines.append(f"series: [{a.series}]")
            if a.kicker:
                lines.append(f"kicker: {_q(a.kicker)}")
            if a.authors:
                lines.append(f"authors: [{', '.join(a.authors)}]")
            if a.byline:
                lines.append(f"byline: {_q(a.byline)}")
            if a.dateline:
                lines.append(f"dateline: {a.dateline}")
            if a.corrects:
                lines.append(f"corrects: {a.corrects.key}")
            lines += ["---", "", a.body]
            _write(folder / f"{a.slug}.md", "\n".join(lines))


class _PelicanWriter:
    """A Pelican site: category = section, tags = printed page and series, per-day archives
    are the editions; theme and the small corrections/series plugin from bench/sites/pelican/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(TEMPLATES / "pelican", root, dirs_exist_ok=True)
        (root / "theme" / "static").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STYLESHEET, root / "theme" / "static" / "style.css")
        self.names = dict(SECTIONS)
        self.series = dict(SERIES)

    def edition(self, day: int, date: dt.date, articles: list[Article], root: Path | None = None) -> None:
        folder = edition_folder("pelican", root or self.root, date)
        for a in articles:
            tags = [f"{date.isoformat()}-{a.page:02d}"] + ([self.series[a.series]] if a.series else [])
            lines = [f"Title: {a.title}", f"Date: {date.isoformat()} 00:00", f"Slug: {a.slug}",
                     f"Category: {self.names[a.section]}", f"Tags: {', '.join(tags)}",
                     f"Printedpage: {a.page}", f"Order: {a.order}", f"Articletype: {a.type}",
                     f"Edition: {10000 + day}"]
            if a.series:
                lines.append(f"Series: {a.series}")
            if a.kicker:
                lines.append(f"Kicker: {a.kicker}")
            if a.authors:
                lines.append(f"Authors: {', '.join(a.authors)}")
            if a.byline:
                lines.append(f"Byline: {a.byline}")
            if a.dateline:
                lines.append(f"Dateline: {a.dateline}")
            if a.corrects:
                lines.append(f"Corrects: {a.corrects.key}")
            lines += ["", a.body]
            _write(folder / f"{a.slug}.md", "\n".join(lines))


def main() -> int:
    p = argparse.ArgumentParser(description="Write the benchmark sites (epaper, Hugo, Pelican) of N articles.")
    p.add_argument("--articles", type=int, default=1000, help="how many articles (default: 1000)")
    p.add_argument("--out", type=Path, default=BENCH / ".work" / "sites", help="folder for TOOL/ subfolders")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of epaper,hugo,pelican")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--hold-newest", action="store_true",
                   help="write the newest edition into OUT/TOOL.newest/ instead of the site")
    args = p.parse_args()
    tools = tuple(t for t in args.tools.split(",") if t)
    corpus = generate(args.articles, args.out, tools, args.seed, hold_newest=args.hold_newest)
    print(f"{corpus.size} articles in {len(corpus.dates)} editions, {len(corpus.corrections)} corrections: "
          + ", ".join(str(args.out / t) for t in tools))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
