"""config.yaml: the site's settings, validated, with defaults filled in."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from epaper import messages as M
from epaper.content.fields import Fields, as_mapping, items_with_lines, yaml_mapping
from epaper.content.reader import SiteReader, read_regular
from epaper.content.yamlutil import load_yaml
from epaper.errors import did_you_mean
from epaper.model import Config, Section, Typography

CONFIG_KEYS = ("title", "base_url", "language", "timezone", "paginate", "sections", "series", "markdown",
               "feed_entries", "search", "typography", "cn_number", "publisher")
# 国内统一连续出版物号: CN, the province's two digits, a hyphen, four digits; an optional /class (CN 32-0001/G2).
CN_NUMBER = re.compile(r"(?:CN\s*)?(\d{2})\s*-\s*(\d{4})(/[A-Z0-9.]+)?", re.IGNORECASE)
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
DEFAULT_LANGUAGE = "zh-CN"
TYPOGRAPHY_KEYS = tuple(Typography.__dataclass_fields__)


def _absolute(url: str) -> bool:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):  # urlsplit drops them silently;
        return False  # robots.txt and headers would not
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def written_language(site: Path) -> str:
    """config.yaml's language: read leniently, before (and whatever) the build reports, so the
    diagnostics of a site whose config.yaml has errors are still in its editors' language."""
    try:
        data, _ = load_yaml(read_regular(site / "config.yaml").decode("utf-8-sig"))  # never a FIFO: it blocks
    except (OSError, UnicodeError, ValueError):
        return DEFAULT_LANGUAGE
    language = data.get("language") if isinstance(data, dict) else None
    return language.strip() if isinstance(language, str) and LANGUAGE_TAG.match(language.strip()) \
        else DEFAULT_LANGUAGE


def load_config(reader: SiteReader, base_url: str | None = None) -> Config | None:
    """Read config.yaml; an unusable config stops the build before content is read."""
    diags, path = reader.diags, reader.root / "config.yaml"
    if not path.exists() and not path.is_symlink():  # anything else there: read() says what is wrong
        diags.error("config.yaml", 1, M.NO_CONFIG())
        return None
    text = reader.text(path)
    if text is None:
        return None
    data = yaml_mapping(text, "config.yaml", diags, M.WHAT_FILE(name="config.yaml"))
    if data is None:
        return None
    f = Fields(data, "config.yaml", diags, M.WHAT_FILE(name="config.yaml"), top=True)
    f.check_keys(CONFIG_KEYS)
    title = f.text("title", required=True)
    written = f.text("base_url")
    if not written:
        f.diags.warning("config.yaml", 1, M.NO_BASE_URL())
    elif not _absolute(written):
        f.error("base_url", M.BAD_BASE_URL(value=written))
    url = base_url or written or "/"  # --base-url (a preview host) overrides, the written one is still checked
    parts = urlsplit(url)
    path_part = parts.path if parts.path.endswith("/") else parts.path + "/"
    if not path_part.startswith("/"):
        path_part = "/" + path_part
    if not url.endswith("/"):
        url += "/"
    language = f.text("language") or DEFAULT_LANGUAGE
    if not LANGUAGE_TAG.match(language):
        f.error("language", M.BAD_LANGUAGE(value=language))
        language = DEFAULT_LANGUAGE
    timezone = f.text("timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        f.error("timezone", M.BAD_TIMEZONE(value=timezone))
        timezone = "UTC"
    paginate = f.integer("paginate", positive=True) or 20
    unsafe_html = False
    if "markdown" in data:
        md = as_mapping(data["markdown"], "config.yaml", f.line("markdown"), diags, M.WHAT_KEY(key="markdown"))
        if md is not None:
            mf = Fields(md, "config.yaml", diags, M.WHAT_KEY(key="markdown"))
            mf.check_keys(("unsafe_html",))
            unsafe_html = mf.boolean("unsafe_html")
    return Config(
        title=title, base_url=url, base_path=path_part, language=language, timezone=timezone,
        paginate=paginate, sections=_declared(f, "sections"), series=_declared(f, "series"),
        unsafe_html=unsafe_html, feed_entries=f.integer("feed_entries", positive=True) or 50,
        search=f.boolean("search") if "search" in data else True, typography=_typography(f),
        cn_number=_cn_number(f), publisher=f.text("publisher"),
    )


def _cn_number(f: Fields) -> str:
    """The paper's 国内统一连续出版物号 as printed in the masthead: CN 32-0001. A number of another
    shape is an error: a wrong one on every page looks like an unregistered paper."""
    written = f.text("cn_number")
    if not written:
        return ""
    found = CN_NUMBER.fullmatch(written)
    if found is None:
        f.error("cn_number", M.BAD_CN_NUMBER(value=written))
        return ""
    return f"CN {found[1]}-{found[2]}{(found[3] or '').upper()}"


def _typography(f: Fields) -> Typography:
    """typography: {check: true, space_between_cjk_and_latin: false, …}: each rule on or off.
    A misspelt rule is an error: silently checking by another rule than the one meant is worse."""
    if "typography" not in f.data:
        return Typography()
    block = as_mapping(f.data["typography"], f.path, f.line("typography"), f.diags, M.WHAT_KEY(key="typography"))
    if block is None:
        return Typography()
    tf = Fields(block, f.path, f.diags, M.WHAT_KEY(key="typography"))
    values = {}
    for key in block:
        if key in TYPOGRAPHY_KEYS:
            values[key] = tf.boolean(key)
        else:
            tf.error(key, M.UNKNOWN_RULE(key=key, suggestion=did_you_mean(key, TYPOGRAPHY_KEYS),
                                         rules=", ".join(TYPOGRAPHY_KEYS)))
    return Typography(**values)


def _declared(f: Fields, key: str) -> dict[str, Section]:
    result: dict[str, Section] = {}
    value = f.data.get(key)
    if value is None:
        return result
    if not isinstance(value, list):
        f.error(key, M.DECLARED_FORM(key=key))
        return result
    for item, line in items_with_lines(value):
        entry = as_mapping(item, f.path, line, f.diags, M.WHAT_EACH_OF(key=key))
        if entry is None:
            continue
        ef = Fields(entry, f.path, f.diags, M.WHAT_ENTRY_OF(key=key))
        ef.check_keys(("slug", "name"))
        slug = ef.slug("slug")
        if "slug" not in entry:
            ef.missing("slug")
        name = ef.text("name", required=True)
        if slug is None:
            continue
        if slug in result:
            ef.error("slug", M.DECLARED_TWICE(slug=slug, key=key))
            continue
        result[slug] = Section(slug=slug, name=name or slug)
    return result

