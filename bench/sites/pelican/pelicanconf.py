"""Benchmark site: the same pages as epaper's (see BENCHMARKS.md, "Equivalence")."""
SITENAME = "基准日报"
SITEURL = "https://epaper.example.com"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
PATH = "content"
ARTICLE_PATHS = [""]
PAGE_PATHS = []
STATIC_PATHS = []
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["newspaper"]
USE_FOLDER_AS_CATEGORY = False
DEFAULT_DATE_FORMAT = "%Y年%m月%d日"

# Pelican's own content cache, as in issue 5's measurement ("content cache on").
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

# Article pages at /DATE/SLUG/, editions at /editions/DATE/ (the per-day archives).
ARTICLE_URL = "{date:%Y-%m-%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y-%m-%d}/{slug}/index.html"
DAY_ARCHIVE_URL = "editions/{date:%Y-%m-%d}/"
DAY_ARCHIVE_SAVE_AS = "editions/{date:%Y-%m-%d}/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
ARCHIVES_SAVE_AS = "archive/index.html"
# Sections are categories, paginated 20 a page; printed pages and series are tags.
CATEGORY_URL = "sections/{slug}/"
CATEGORY_SAVE_AS = "sections/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"category": None, "tag": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
# epaper has no author pages, tag or category overviews.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "archives"]
# Feeds: the whole paper and each section, 50 entries, as epaper's.
FEED_MAX_ITEMS = 50
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "sections/{slug}/feed.xml"
FEED_ATOM = None
FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PRINTED_PAGES = {1: "要闻", 2: "综合", 3: "经济", 4: "民生", 5: "社会", 6: "文化", 7: "体育", 8: "评论"}
