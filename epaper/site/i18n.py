"""Labels and dates in the paper's language: Chinese for zh-*, English otherwise."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from babel.dates import format_date, get_day_names

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "zh": {
        "page": "第{n}版", "issue": "第{n}期", "edition": "本期", "latest": "最新一期",
        "prev_edition": "上一期", "next_edition": "下一期", "prev_page": "上一版", "next_page": "下一版",
        "back_to_edition": "返回本期", "pages": "版面", "contents": "本期目录", "archive": "往期回顾",
        "sections": "栏目", "section": "栏目", "series": "专栏", "corrections": "更正",
        "correction": "更正", "corrected": "已更正", "correction_notice": "本文已于{date}更正",
        "corrects": "更正对象", "read_correction": "查看更正", "no_entries": "暂无文章",
        "no_articles_on_page": "本版暂无文章", "prev_in_series": "上一篇", "next_in_series": "下一篇",
        "older": "较早", "newer": "较新", "page_of": "第{n}页,共{total}页", "not_found": "页面不存在",
        "not_found_text": "您访问的页面不存在或已移动。", "go_home": "返回最新一期",
        "skip": "跳到正文", "authors": "作者", "published_in": "刊于",
        "type_note": "编者按", "type_brief": "简讯", "type_correction": "更正",
        "year": "{y}年", "month": "{m}月", "editions_count": "{n}期", "no_corrections": "暂无更正",
        "search": "搜索", "search_label": "搜索本报文章", "search_results": "搜索结果",
        "search_needs_js": "站内搜索需要启用 JavaScript。也可以按日期浏览往期回顾,或按栏目浏览。",
        "search_prompt": "输入关键词搜索本报文章。", "search_none": "没有找到与“{q}”相关的文章。",
        "search_count": "找到 {n} 篇与“{q}”相关的文章", "search_loading": "正在搜索……",
        "search_unavailable": "搜索暂时不可用。", "filter_section": "栏目", "filter_year": "年份",
        "all": "全部", "copy_link": "复制链接", "link_copied": "链接已复制", "share": "分享",
        "article_link": "本文链接", "jump_to_date": "按日期查看", "go": "前往",
        "source_line": "《{paper}》{date} {page}", "calendar": "日历", "more_results": "更多结果",
        "sort": "排序", "sort_relevance": "相关度", "sort_newest": "最新在前",
        "download_pdf": "下载本版 PDF", "on_this_page": "本版文章", "continued": "(续)",
        "scan_alt": "{page}版面图", "turn_hint": "点击版面上的文章阅读;键盘 ← → 或左右滑动翻版",
        "page_thumbs": "版面导航", "full_size": "查看大图",
        "download_edition_pdf": "下载本期全部版面 PDF", "pdf_downloads": "PDF 下载",
        "scan_to_share": "微信扫一扫", "qr_alt": "本文链接的二维码：{url}",
        "type_size": "字号", "size_l": "大", "size_m": "中", "size_s": "小",
        "pages_today": "今日{n}版", "cn_number": "国内统一连续出版物号 {cn}", "publisher": "主办：{name}",
        "in_print": "见报位置", "see_on_page": "查看{page}", "continued_on": "下转{page}",
        "ellipsis": "……", "prev_month": "上个月", "next_month": "下个月", "no_paper": "当日无报",
        "open_calendar": "按日期查看往期",
    },
    "en": {
        "page": "Page {n}", "issue": "No. {n}", "edition": "This edition", "latest": "Latest edition",
        "prev_edition": "Previous edition", "next_edition": "Next edition", "prev_page": "Previous page",
        "next_page": "Next page", "back_to_edition": "Back to the edition", "pages": "Pages",
        "contents": "Contents", "archive": "Archive", "sections": "Sections", "section": "Section",
        "series": "Series", "corrections": "Corrections", "correction": "Correction",
        "corrected": "Corrected", "correction_notice": "This article was corrected on {date}",
        "corrects": "Corrects", "read_correction": "Read the correction", "no_entries": "No articles yet",
        "no_articles_on_page": "No articles on this page", "prev_in_series": "Previous in the series",
        "next_in_series": "Next in the series", "older": "Older", "newer": "Newer",
        "page_of": "Page {n} of {total}", "not_found": "Page not found",
        "not_found_text": "The page you asked for does not exist or has moved.",
        "go_home": "Go to the latest edition", "skip": "Skip to content", "authors": "By",
        "published_in": "Published in", "type_note": "Editor's note", "type_brief": "Brief",
        "type_correction": "Correction", "year": "{y}", "month": "{month_name}",
        "editions_count": "{n} editions", "no_corrections": "No corrections",
        "search": "Search", "search_label": "Search the paper", "search_results": "Search results",
        "search_needs_js": "Search needs JavaScript. You can also browse the archive by date, or the sections.",
        "search_prompt": "Type a word to search the paper's articles.", "search_none": "Nothing found for “{q}”.",
        "search_count": "{n} articles found for “{q}”", "search_loading": "Searching…",
        "search_unavailable": "Search is not available right now.", "filter_section": "Section",
        "filter_year": "Year", "all": "All", "copy_link": "Copy link", "link_copied": "Link copied",
        "share": "Share", "article_link": "Link to this article", "jump_to_date": "Go to a date", "go": "Go",
        "source_line": "{paper}, {date}, {page}", "calendar": "Calendar", "more_results": "More results",
        "sort": "Order", "sort_relevance": "Best match", "sort_newest": "Newest first",
        "download_pdf": "Download this page (PDF)", "on_this_page": "On this page", "continued": " (continued)",
        "scan_alt": "{page} as printed",
        "turn_hint": "Tap an article on the page to read it; turn pages with ← → or a swipe",
        "page_thumbs": "Pages as printed", "full_size": "Full-size page",
        "download_edition_pdf": "Download the whole edition (PDF)", "pdf_downloads": "PDF downloads",
        "scan_to_share": "Scan to share", "qr_alt": "QR code of this article's link: {url}",
        "type_size": "Text size", "size_l": "Large", "size_m": "Medium", "size_s": "Small",
        "pages_today": "{n} pages today", "cn_number": "Serial number {cn}", "publisher": "Published by {name}",
        "in_print": "Where it was printed", "see_on_page": "See it on {page}", "continued_on": "Continued on {page}",
        "ellipsis": "…", "prev_month": "Previous month", "next_month": "Next month", "no_paper": "no paper",
        "open_calendar": "Editions by date",
    },
})


class Locale:
    """What templates call for words and dates; picked once from config.language."""

    def __init__(self, language: str, memo: dict[str, str] | None = None) -> None:
        self.chinese = language.lower().startswith("zh")
        self.labels = LABELS["zh" if self.chinese else "en"]
        self.babel = "zh_Hans_CN" if self.chinese else "en"
        # Formatted dates, kept in the build cache: loading Babel's locale data costs more than
        # an incremental build's rendering, and a date's wording never changes.
        self.memo = memo if memo is not None else {}

    def t(self, key: str, **values: object) -> str:
        return self.labels[key].format(**values)

    def _format(self, day: dt.date, pattern: str) -> str:
        key = f"{self.babel}|{pattern}|{day.isoformat()}"
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = format_date(day, pattern, locale=self.babel)
        return text

    def date(self, day: dt.date) -> str:
        """2022年11月4日 星期五 / Friday, 4 November 2022."""
        return self._format(day, "y年M月d日 EEEE" if self.chinese else "EEEE, d MMMM y")

    def short_date(self, day: dt.date) -> str:
        """2022年11月4日 / 4 November 2022."""
        return self._format(day, "y年M月d日" if self.chinese else "d MMMM y")

    def weekdays(self) -> list[tuple[str, str]]:
        """(short, full) weekday names from Monday: (一, 星期一) / (Mon, Monday)."""
        short = get_day_names("narrow" if self.chinese else "abbreviated", locale=self.babel)
        full = get_day_names("wide", locale=self.babel)
        return [(short[i], full[i]) for i in range(7)]

    def month(self, year: int, month: int) -> str:
        if self.chinese:
            return f"{year}年{month}月"
        return self._format(dt.date(year, month, 1), "MMMM y")
