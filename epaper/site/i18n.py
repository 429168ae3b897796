"""Dates, lists and Babel's locale for the paper's language; the words come from gettext catalogs.

Every word and mark the theme prints is a message in `theme/locales/<locale>/LC_MESSAGES/theme.po`
(see epaper/catalogs.py), so a language is a catalog, not code. What is not a sentence — dates,
month and weekday names, "A, B and C" / "甲、乙和丙" — comes from Babel's CLDR data for the locale:
zh-CN reads 2022年11月4日, zh-TW reads its traditional forms (週一), en reads Friday, 4 November 2022.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import jinja2
from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_day_names
from babel.lists import format_list
from babel.support import NullTranslations
from jinja2.runtime import Context
from markupsafe import Markup, escape

# Chinese without a script: Hant where traditional characters are written, else Hans.
_TRADITIONAL = frozenset({"TW", "HK", "MO"})


def babel_locale(language: str) -> str:
    """Babel's locale for a language tag, with the script Chinese needs for its date words:
    zh-CN -> zh_Hans_CN, zh-TW -> zh_Hant_TW, zh -> zh_Hans_CN, en -> en, an unknown tag -> en."""
    try:
        parsed = BabelLocale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return "en"
    if parsed.language == "zh":
        script = parsed.script or ("Hant" if parsed.territory in _TRADITIONAL else "Hans")
        territory = parsed.territory or ("TW" if script == "Hant" else "CN")
        return f"zh_{script}_{territory}"
    return str(parsed)


class Locale:
    """What templates call for dates and lists; picked once from config.language, with the
    theme's catalog (the date patterns are messages too: a site's catalog may change them)."""

    def __init__(self, language: str, memo: dict[str, str] | None = None,
                 translations: NullTranslations | None = None) -> None:
        self.babel = babel_locale(language)
        self.chinese = self.babel.startswith("zh")
        self.translations = translations if translations is not None else NullTranslations()
        # Formatted dates, kept in the build cache: loading Babel's locale data costs more than
        # an incremental build's rendering, and a date's wording never changes.
        self.memo = memo if memo is not None else {}

    def _format(self, day: dt.date, pattern: str, skeleton: bool = False) -> str:
        key = f"{self.babel}|{'skeleton:' if skeleton else ''}{pattern}|{day.isoformat()}"
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = (format_skeleton(pattern, day, locale=self.babel) if skeleton
                                     else format_date(day, pattern, locale=self.babel))
        return text

    def date(self, day: dt.date) -> str:
        """2022年11月4日 星期五 / Friday, 4 November 2022."""
        # Translators: a CLDR date pattern for the masthead's date (EEEE weekday, d day, MMMM month, y year).
        return self._format(day, str(self.translations.pgettext("date pattern", "EEEE, d MMMM y")))

    def short_date(self, day: dt.date) -> str:
        """2022年11月4日 / 4 November 2022."""
        # Translators: a CLDR date pattern for dates in lists and notices (d day, MMMM month, y year).
        return self._format(day, str(self.translations.pgettext("date pattern", "d MMMM y")))

    def weekdays(self) -> list[tuple[str, str]]:
        """(short, full) weekday names from Monday: (一, 星期一) / (Mon, Monday)."""
        short = get_day_names("narrow" if self.chinese else "abbreviated", locale=self.babel)
        full = get_day_names("wide", locale=self.babel)
        return [(short[i], full[i]) for i in range(7)]

    def month(self, year: int, month: int) -> str:
        """2022年11月 / November 2022: the locale's own year-and-month form."""
        return self._format(dt.date(year, month, 1), "yMMMM", skeleton=True)

    def year(self, year: int) -> str:
        """2022年 / 2022."""
        return self._format(dt.date(year, 1, 1), "y", skeleton=True)

    def page(self, number: int) -> str:
        """A printed page's name: 第3版 / Page 3 (layouts call it as page_label)."""
        return self.translations.gettext("Page %(n)s") % {"n": number}

    def names(self, items: Iterable[object]) -> Markup:
        """Names joined the language's way, each escaped unless it is markup already: "Ann Lee and
        Bob Ray" / "张三、李四". The catalog's joins when it has them (a Chinese byline joins every
        name with 、, where CLDR's and-list says 张三和李四), else Babel's list for the locale."""
        parts = [Markup(escape(item)) for item in items]
        if not parts:
            return Markup("")
        # Translators: joins a name to the names before it, except the last one (Ann Lee, Bob Ray).
        between = str(self.translations.pgettext("names", "%(names)s, %(name)s"))
        # Translators: joins the last name to the names before it (Ann Lee and Bob Ray).
        last = str(self.translations.pgettext("names", "%(names)s and %(name)s"))
        if (between, last) == ("%(names)s, %(name)s", "%(names)s and %(name)s"):  # no catalog says how
            marks = [f"\x00{i}\x00" for i in range(len(parts))]
            joined = str(escape(format_list(marks, locale=self.babel)))
            for mark, part in zip(marks, parts, strict=True):
                joined = joined.replace(mark, part)
            return Markup(joined)
        result = parts[0]
        for index, part in enumerate(parts[1:], start=1):
            pattern = last if index == len(parts) - 1 else between
            result = Markup(escape(pattern)) % {"names": result, "name": part}
        return result


def install_quick_gettext(env: jinja2.Environment, translations: NullTranslations) -> None:
    """Give layouts `_()` and `gettext()` as Jinja's i18n extension installs them (newstyle,
    after install_gettext_translations), each message translated and escaped once per renderer.
    Every page calls them twenty times or more, each call going through two of Jinja's
    Context.call: a tenth of an index page's render. What they return is the same: the message
    looked up in `translations`, made Markup under autoescape, then formatted with its variables."""
    lookup = getattr(translations, "ugettext", None) or translations.gettext  # what Jinja's install takes
    messages: dict[tuple[str, bool], tuple[str, str | None]] = {}  # (message, autoescape) -> (text, text % {})

    @jinja2.pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        autoescape = bool(__context.eval_ctx.autoescape)
        found = messages.get((__string, autoescape))
        if found is None:
            text = lookup(__string)
            found = messages[(__string, autoescape)] = (Markup(text) if autoescape else text, None)
        if variables:
            return found[0] % variables
        if found[1] is None:  # formatted even without variables, as Jinja's (%% is %): once
            found = messages[(__string, autoescape)] = (found[0], found[0] % {})
        return found[1]  # type: ignore[return-value]

    @jinja2.pass_context
    def alias(__context: Context, *args: Any, **kwargs: Any) -> Any:
        """`_`: whatever `gettext` is where it is called (a layout may set its own), as Jinja's alias."""
        current = __context.resolve("gettext")
        if current is gettext:
            return gettext(__context, *args, **kwargs)
        return __context.call(current, *args, **kwargs)

    alias.epaper_gettext = gettext  # type: ignore[attr-defined]  # render._Context.call's shortcut
    gettext.epaper_gettext = gettext  # type: ignore[attr-defined]
    env.globals.update(gettext=gettext, _=alias)
