"""config.yaml: the site's settings, validated, with defaults filled in."""
from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from epaper.content.fields import Fields, as_mapping, items_with_lines, yaml_mapping
from epaper.content.reader import SiteReader
from epaper.errors import did_you_mean
from epaper.model import Config, Section, Typography

CONFIG_KEYS = ("title", "base_url", "language", "timezone", "paginate", "sections", "series", "markdown",
               "feed_entries", "search", "typography", "cn_number", "publisher")
# 国内统一连续出版物号: CN, the province's two digits, a hyphen, four digits; an optional /class (CN 32-0001/G2).
CN_NUMBER = re.compile(r"(?:CN\s*)?(\d{2})\s*-\s*(\d{4})(/[A-Z0-9.]+)?", re.IGNORECASE)
TYPOGRAPHY_KEYS = tuple(Typography.__dataclass_fields__)


def _absolute(url: str) -> bool:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):  # urlsplit drops them silently;
        return False  # robots.txt and headers would not
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def load_config(reader: SiteReader, base_url: str | None = None) -> Config | None:
    """Read config.yaml; an unusable config stops the build before content is read."""
    diags, path = reader.diags, reader.root / "config.yaml"
    if not path.exists() and not path.is_symlink():  # anything else there: read() says what is wrong
        diags.error("config.yaml", 1, "not found: a site is a folder with config.yaml and content/")
        return None
    text = reader.text(path)
    if text is None:
        return None
    data = yaml_mapping(text, "config.yaml", diags, "config.yaml")
    if data is None:
        return None
    f = Fields(data, "config.yaml", diags, "config.yaml", top=True)
    f.check_keys(CONFIG_KEYS)
    title = f.text("title", required=True)
    written = f.text("base_url")
    if not written:
        f.diags.warning("config.yaml", 1, 'no "base_url:": feeds, sitemaps and canonical links need the site\'s '
                        "absolute URL, such as https://epaper.example.com/")
    elif not _absolute(written):
        f.error("base_url", f'"base_url:" must be an absolute http(s) URL such as https://epaper.example.com/, '
                f'not "{written}"')
    url = base_url or written or "/"  # --base-url (a preview host) overrides, the written one is still checked
    parts = urlsplit(url)
    path_part = parts.path if parts.path.endswith("/") else parts.path + "/"
    if not path_part.startswith("/"):
        path_part = "/" + path_part
    if not url.endswith("/"):
        url += "/"
    language = f.text("language") or "zh-CN"
    if not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
        f.error("language", f'"language:" must be a language tag such as zh-CN or en, not "{language}"')
        language = "zh-CN"
    timezone = f.text("timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        f.error("timezone", f'"timezone:" "{timezone}" is not a known time zone such as Asia/Shanghai')
        timezone = "UTC"
    paginate = f.integer("paginate", positive=True) or 20
    unsafe_html = False
    if "markdown" in data:
        md = as_mapping(data["markdown"], "config.yaml", f.line("markdown"), diags, '"markdown:"')
        if md is not None:
            mf = Fields(md, "config.yaml", diags, '"markdown:"')
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
        f.error("cn_number", f'"cn_number:" must be a 国内统一连续出版物号 such as CN 32-0001, not "{written}"')
        return ""
    return f"CN {found[1]}-{found[2]}{(found[3] or '').upper()}"


def _typography(f: Fields) -> Typography:
    """typography: {check: true, space_between_cjk_and_latin: false, …}: each rule on or off.
    A misspelt rule is an error: silently checking by another rule than the one meant is worse."""
    if "typography" not in f.data:
        return Typography()
    block = as_mapping(f.data["typography"], f.path, f.line("typography"), f.diags, '"typography:"')
    if block is None:
        return Typography()
    tf = Fields(block, f.path, f.diags, '"typography:"')
    values = {}
    for key in block:
        if key in TYPOGRAPHY_KEYS:
            values[key] = tf.boolean(key)
        else:
            tf.error(key, f'unknown key "{key}:" in "typography:"{did_you_mean(key, TYPOGRAPHY_KEYS)}; '
                     f"the rules are {', '.join(TYPOGRAPHY_KEYS)}")
    return Typography(**values)


def _declared(f: Fields, key: str) -> dict[str, Section]:
    result: dict[str, Section] = {}
    value = f.data.get(key)
    if value is None:
        return result
    if not isinstance(value, list):
        f.error(key, f'"{key}:" must be a list of {{slug: …, name: …}}')
        return result
    for item, line in items_with_lines(value):
        entry = as_mapping(item, f.path, line, f.diags, f'each of "{key}:"')
        if entry is None:
            continue
        ef = Fields(entry, f.path, f.diags, f'an entry of "{key}:"')
        ef.check_keys(("slug", "name"))
        slug = ef.slug("slug")
        if "slug" not in entry:
            ef.missing("slug")
        name = ef.text("name", required=True)
        if slug is None:
            continue
        if slug in result:
            ef.error("slug", f'"{slug}" is declared twice in "{key}:"')
            continue
        result[slug] = Section(slug=slug, name=name or slug)
    return result

