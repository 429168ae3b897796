"""Every diagnostic epaper reports, declared once: a stable id and the English template.

Ids are grouped by what the editor is looking at (docs/errors.md has a section per group):
E1xx/W1xx files that cannot be read, E2xx front matter and YAML, E3xx slugs and URLs,
E4xx editions and pages, E5xx sections, series and corrections, E6xx config.yaml, E7xx layouts,
the build and its output, E8xx scans, PDFs, photos and areas, W9xx typography; P0xx are parts
of messages (words put into other messages), N the lines of a command's report (`fix`'s
"not fixed", the summaries), U1xx a wrong command line or folder (exit status 2), U2xx the
machine's failures (exit status 74). E is an error, W a warning. An id is never reused for
another meaning: a message whose meaning changes gets a new id.

The Chinese texts are in epaper/locales/zh_Hans/LC_MESSAGES/messages.po (msgctxt = the id);
scripts/errors_doc.py writes the list in docs/errors.md and adds new ids to the catalog.
"""
from __future__ import annotations

from epaper.errors import DID_YOU_MEAN, WARNING_LABEL, Message

FILES = "Files that cannot be read"
FRONT = "Front matter"
SLUGS = "Slugs and URLs"
EDITIONS = "Editions and pages"
LINKS = "Sections, series and corrections"
CONFIG = "config.yaml"
BUILD = "Layouts, the build and its output"
MEDIA = "Page scans, PDFs, photos and areas"
TYPOGRAPHY = "Typography (warnings) and fix"
PARTS = "Parts of messages"
NOTES = "The commands' summaries"
USAGE = "The command line and folders"
MACHINE = "The machine: disks, folders and permissions"
SECTIONS = (FILES, FRONT, SLUGS, EDITIONS, LINKS, CONFIG, BUILD, MEDIA, TYPOGRAPHY, PARTS, NOTES, USAGE, MACHINE)

# Files that cannot be read
LINK_OUTSIDE_SITE = Message("E101", "is a symbolic link to a place outside the site; refusing to read it", FILES)
CANNOT_READ = Message("E102", "cannot be read: {reason}", FILES)
LINK_OUTSIDE_FOLDER = Message("E103", "is a symbolic link to {target}, outside {folder}/; refusing to publish it "
                              "(copy the file into the folder instead)", FILES)
NOT_REGULAR = Message("E104", "is not a regular file ({kind}); only files and folders are read", FILES)
NOT_UTF8_GBK = Message("E105", "is not UTF-8 text (it looks like GBK (GB18030), the usual Chinese Windows "
                       "encoding: save it as UTF-8)", FILES)
NOT_UTF8 = Message("E106", "is not UTF-8 text (save it as UTF-8)", FILES)
NUL_BYTE = Message("E107", "contains a NUL byte: is it a binary file?", FILES)
A_FOLDER = Message("E108", "is a folder, not a file", FILES)

# Front matter, YAML and the values of keys
NO_FRONT_MATTER = Message("E201", "has no front matter: an article starts with a line '---', then its keys "
                          "(title:, page: …), then another '---'", FRONT)
UNCLOSED_FRONT_MATTER = Message("E202", "front matter is not closed: add a line '---' after its last key", FRONT)
YAML_SYNTAX = Message("E203", "YAML syntax error: {detail}", FRONT)
YAML_TOO_DEEP = Message("E204", "YAML nested too deeply", FRONT)
YAML_ALIASES = Message("E205", "YAML aliases expand to more than {limit} values; write the values out instead "
                       "of repeating anchors (*name)", FRONT)
NOT_A_DATE = Message("E206", '"{value}" is not a real date or time ({reason})', FRONT)
NEEDS_KEY = Message("E207", '{what} needs "{key}:"', FRONT)
KEY_TWICE = Message("E208", '"{key}:" is given twice; the second one would win silently', FRONT)
UNKNOWN_KEY = Message("W209", 'unknown key "{key}:" is ignored{suggestion}', FRONT)
NOT_TEXT = Message("E210", '"{key}:" must be text, not a {kind}', FRONT)
NOT_WHOLE_NUMBER = Message("E211", '"{key}:" must be a whole number, not {value}', FRONT)
NOT_POSITIVE = Message("E212", '"{key}:" must be a positive whole number, not {value}', FRONT)
NOT_BOOLEAN = Message("E213", '"{key}:" must be true or false, not {value}', FRONT)
NOT_DATE = Message("E214", '"{key}:" must be a date written YYYY-MM-DD, not {value}', FRONT)
NOT_MAPPING = Message("E215", "{what} must be a mapping of keys and values", FRONT)
BAD_TYPE = Message("E216", '"type: {kind}" is not one of {types}{suggestion}', FRONT)
MARKDOWN_FAILED = Message("E217", "the Markdown body could not be converted: {detail}", FRONT)
AUTHORS_FORM = Message("E218", '"authors:" must be a name or a list of names', FRONT)
NO_IMAGE_FOR_CAPTION = Message("W219", '"{key}:" belongs to the lead photo, but there is no "image:"', FRONT)

# Slugs and URLs
BAD_SLUG = Message("E301", '"{key}: {value}" is not a valid slug: it {problem}', SLUGS)
BAD_FILE_SLUG = Message("E302", 'the file name "{name}" is not a valid slug: it {problem}; add "slug:" to the '
                        "front matter (for example slug: youdaizheng)", SLUGS)
SLUG_TAKEN = Message("E303", 'the slug "{slug}" is already used by {other} in this edition; both would be '
                     "written to one URL", SLUGS)
OVERWRITES_PAGE = Message("E304", "would overwrite the page /{path} made from {made}", SLUGS)

# Editions and pages
NO_ARTICLES = Message("E401", "this edition has no articles: add a .md file beside edition.yaml", EDITIONS)
NESTED_EDITION = Message("E402", "editions don't nest: this folder is inside the edition {outer}/", EDITIONS)
IN_EDITION_SUBFOLDER = Message("W403", "is in a subfolder of an edition; articles sit beside edition.yaml; "
                               "skipped", EDITIONS)
NOT_IN_EDITION = Message("W404", "is not in an edition folder (no edition.yaml beside it); skipped", EDITIONS)
BAD_PUBLISH = Message("E405", '"publish:" must be a date and time such as 2022-11-04 06:00:00+08:00, not {value}',
                      EDITIONS)
PAGES_FORM = Message("E406", '"pages:" must be a list of printed pages such as '
                     "{{number: 1, name: 要闻, section: yaowen}}", EDITIONS)
PAGE_FILE_OUTSIDE = Message("E407", '"{key}: {value}" must name a file in the edition\'s folder, beside '
                            "edition.yaml (for example page-01.jpg)", EDITIONS)
PAGE_TWICE = Message("E408", "page {number} is listed twice (first at line {first})", EDITIONS)
DATE_TWICE = Message("E409", "two editions have the date {date}: this one and {other}", EDITIONS)
NOT_A_PAGE = Message("E410", "page {page} is not a page of the edition {date} (its pages: {pages}; see {source})",
                     EDITIONS)
ALL_DRAFTS = Message("W411", "every article of this edition is a draft: the edition is left out (build with "
                     "--drafts to see it)", EDITIONS)

# Sections, series and corrections
UNKNOWN_SECTION = Message("E501", 'unknown section "{slug}"{suggestion}; every section used must be declared in '
                          "config.yaml (declared: {declared})", LINKS)
UNKNOWN_SERIES = Message("E502", 'unknown series "{slug}"{suggestion}; every series used must be declared in '
                         "config.yaml (declared: {declared})", LINKS)
CORRECTION_NEEDS_TARGET = Message("E503", '"type: correction" needs "corrects:" naming the article it corrects '
                                  "(DATE/SLUG, or {{date: …, page: …, title: …}})", LINKS)
CORRECTS_ONLY_CORRECTIONS = Message("E504", '"corrects:" is only for "type: correction"', LINKS)
CORRECTS_NOT_DATE_SLUG = Message("E505", '"corrects: {value}" is not DATE/SLUG: write "corrects:" as DATE/SLUG '
                                 "(2022-11-03/youdaizheng) or as {{date: 2022-11-03, page: 3, title: 原标题}}", LINKS)
CORRECTS_CANNOT_BE = Message("E506", '"corrects:" cannot be {value}: write "corrects:" as DATE/SLUG '
                             "(2022-11-03/youdaizheng) or as {{date: 2022-11-03, page: 3, title: 原标题}}", LINKS)
CORRECTS_ITSELF = Message("E507", "corrects {target}: a correction cannot correct itself", LINKS)
CORRECTS_LATER = Message("E508", "corrects {target}: that article is in a later edition ({date}); a correction "
                         "follows the article it corrects", LINKS)
CORRECTS_DRAFT = Message("E509", "corrects {target}: {source} is a draft, left out of the build; publish it or "
                         "build with --drafts", LINKS)
CORRECTS_AMBIGUOUS = Message("E510", "corrects {target}: matches {count} articles ({names}); add page: or write "
                             "DATE/SLUG", LINKS)
CORRECTS_NOTHING = Message("E511", "corrects {target}: no such article{closest}", LINKS)

# config.yaml
NO_CONFIG = Message("E601", "not found: a site is a folder with config.yaml and content/", CONFIG)
NO_CONTENT = Message("E602", "not found: a site keeps its editions in content/", CONFIG)
NO_BASE_URL = Message("W603", 'no "base_url:": feeds, sitemaps and canonical links need the site\'s absolute '
                      "URL, such as https://epaper.example.com/", CONFIG)
BAD_BASE_URL = Message("E604", '"base_url:" must be an absolute http(s) URL such as https://epaper.example.com/, '
                       'not "{value}"', CONFIG)
BAD_LANGUAGE = Message("E605", '"language:" must be a language tag such as zh-CN or en, not "{value}"', CONFIG)
BAD_TIMEZONE = Message("E606", '"timezone:" "{value}" is not a known time zone such as Asia/Shanghai', CONFIG)
BAD_CN_NUMBER = Message("E607", '"cn_number:" must be a 国内统一连续出版物号 such as CN 32-0001, not "{value}"',
                        CONFIG)
UNKNOWN_RULE = Message("E608", 'unknown key "{key}:" in "typography:"{suggestion}; the rules are {rules}', CONFIG)
DECLARED_FORM = Message("E609", '"{key}:" must be a list of {{slug: …, name: …}}', CONFIG)
DECLARED_TWICE = Message("E610", '"{slug}" is declared twice in "{key}:"', CONFIG)

# Layouts, the build and its output
TEMPLATE_SYNTAX = Message("E701", "template syntax error: {detail}", BUILD)
TEMPLATE_NOT_FOUND = Message("E702", "template not found: {name}", BUILD)
TEMPLATE_FAILED = Message("E703", "error while rendering /{url}: {detail}", BUILD)
CHANGED_DURING_BUILD = Message("E704", "changed or disappeared while the site was being built; build again", BUILD)
PDF_CHANGED_DURING_BUILD = Message("E705", "a page PDF changed or disappeared while the site was being built; "
                                   "build again", BUILD)
NO_SEARCH = Message("W706", "{problem}; the site is built without a search index", BUILD)
FOREIGN_OUTPUT = Message("W707", "is in the output folder but was not made by epaper, so it leaves the site with "
                         "this build; to publish it, put it in static/{name}", BUILD)
CATALOG_UNREADABLE = Message("E708", "cannot be read as a gettext catalog: {line} is not a msgid, msgstr, comment "
                             "or quoted line", BUILD)
CATALOG_MISFIT = Message("E709", 'the translation of "{msgid}" does not fit its message ({detail}); it may use '
                         "{names}", BUILD)

# Page scans, PDFs, photos and areas
MEDIA_PROBLEM = Message("E801", '{what} "{written}" ({path}) {problem}', MEDIA)
PDF_UNRENDERABLE = Message("E802", 'page {number}: the PDF "{written}" ({path}) {problem}; with no "scan:", its '
                           "first page would be the page image", MEDIA)
PDF_PAGES = Message("W803", 'page {number}: the PDF "{written}" ({path}) has {pages} pages: the page image is '
                    "drawn from the first; export each printed page as its own PDF", MEDIA)
IMAGE_OUTSIDE = Message("E804", '"image: {value}" must name an image file in the edition\'s folder, beside the '
                        "article (for example photo.jpg)", MEDIA)
FIGURE_OUTSIDE = Message("E805", 'the image "{src}" must be a file in the edition\'s folder, beside the article',
                         MEDIA)
AREA_FORM = Message("E806", '"area:" is [x, y, w, h] in percent of the page (for example [5, 10, 45, 30]) or a '
                    "list of such boxes (a box on another page: {{page: 4, box: [x, y, w, h]}})", MEDIA)
AREA_FORM_NOT = Message("E807", '"area:" is [x, y, w, h] in percent of the page (for example [5, 10, 45, 30]) or '
                        "a list of such boxes (a box on another page: {{page: 4, box: [x, y, w, h]}}), not {value}",
                        MEDIA)
AREA_OFF_PAGE = Message("E808", '"area:" box {box} is not on the page: {problem} (a box is [x, y, w, h] in '
                        "percent of the page)", MEDIA)
AREA_NO_SCAN = Message("E809", '"area:" places the article on the scan of page {number}, but that page has no '
                       '"scan:" (nor a "pdf:" to draw one from) in {source} (line {line})', MEDIA)
AREA_OVERLAP = Message("W810", '"area:" box {box} overlaps {other_box} of {other} on page {number}: a tap there '
                       "reaches only one of them", MEDIA)
AREA_TITLE_NOT_ON_PDF = Message("W811", '"area:" puts it on page {number}\'s PDF "{pdf}", but that PDF does not '
                                "print its title 《{title}》 (is page: right?)", MEDIA)
AREA_COVERS_OTHER = Message("W812", '"area:" box {box} covers text of {other} (《{title}》) on page {number}\'s PDF '
                            '"{pdf}": a tap there opens the wrong article', MEDIA)
JOIN_FAILED = Message("W813", "the pages' PDFs could not be joined into one ({detail}); the edition is built "
                      "without its whole-edition PDF", MEDIA)
JUMP_FORM = Message("E820", 'an "area:" box on another page is {{page: N, box: [x, y, w, h]}}, not {value}', MEDIA)
JUMP_PAGE_NUMBER = Message("E821", '"page:" of an "area:" box is a page number of the edition (1, 2, …), not {value}',
                           MEDIA)
JUMP_NO_SUCH_PAGE = Message("E822", '"area:" box {box} names page {number}, but {source} lists no page {number} '
                            "(its pages: {listed})", MEDIA)
JUMP_OWN_PAGE = Message("E823", '"area:" box {box} names the article\'s own page ({number}): write the box as '
                        "[x, y, w, h]; {{page: N, box: …}} is for a part continued on another page", MEDIA)
JUMP_NO_SCAN = Message("E824", '"area:" box {box} places part of the article on the scan of page {number}, but that '
                       'page has no "scan:" (nor a "pdf:" to draw one from) in {source} (line {line})', MEDIA)

# Typography (warnings)
TYPOGRAPHY_CHANGE = Message("W901", 'typography: "{before}" should be "{after}" ({reason}); epaper fix rewrites it',
                            TYPOGRAPHY)
REASON_FULLWIDTH = Message("P901", "half-width punctuation in Chinese text", TYPOGRAPHY)
REASON_QUOTES = Message("P902", "straight quotes around Chinese text", TYPOGRAPHY)
REASON_HALFWIDTH_WORD = Message("P903", "full-width letters or digits", TYPOGRAPHY)
REASON_HALFWIDTH_PUNCTUATION = Message("P904", "full-width punctuation in English text", TYPOGRAPHY)
REASON_EXTRA_SPACE = Message("P905", "a space between Chinese and Latin letters or digits (typography: "
                             "space_between_cjk_and_latin is false)", TYPOGRAPHY)
REASON_SPACE_FULLWIDTH = Message("P906", "a space beside full-width punctuation", TYPOGRAPHY)
REASON_MISSING_SPACE = Message("P907", "no space between Chinese and Latin letters or digits (typography: "
                               "space_between_cjk_and_latin is true)", TYPOGRAPHY)
REASON_OTHER = Message("P908", "Chinese copy-editing", TYPOGRAPHY)
REASONS = Message("P909", "{first}; {rest}", TYPOGRAPHY)
NOT_FIXED = Message("N902", "not fixed: {problem}; fix it by hand", TYPOGRAPHY)
NOT_FIXED_UTF8 = Message("N903", "not fixed: is not UTF-8 text", TYPOGRAPHY)
NOT_FIXED_LINK = Message("N904", "not fixed: is a symbolic link; fix the file it points to", TYPOGRAPHY)
FRONT_MATTER_WOULD_NOT_PARSE = Message("P910", "the front matter would not parse after the change", TYPOGRAPHY)
KEY_WOULD_CHANGE = Message("P911", '"{key}:" would read differently after the change', TYPOGRAPHY)
KEY_WOULD_NOT_BE_TEXT = Message("P912", '"{key}:" would no longer be text after the change', TYPOGRAPHY)

# Parts of messages: words and phrases other messages put in their {fields}
WARNING = WARNING_LABEL
SUGGESTION = DID_YOU_MEAN
CLOSEST = Message("P003", "; the closest are: {names}", PARTS)
NEAR_ARTICLE = Message("P095", "{path} 《{title}》 (page {page})", PARTS)
AND_NEXT = Message("P096", "{first}, {next}", PARTS)
NOTHING = Message("P004", "nothing", PARTS)
NONE_DECLARED = Message("P005", "none", PARTS)
KIND_LIST = Message("P006", "list", PARTS)
KIND_MAPPING = Message("P007", "mapping", PARTS)
KIND_FIFO = Message("P008", "a FIFO", PARTS)
KIND_SOCKET = Message("P009", "a socket", PARTS)
KIND_DEVICE = Message("P010", "a device", PARTS)
KIND_NOT_FILE = Message("P011", "not a file", PARTS)
WHAT_ARTICLE = Message("P012", "an article", PARTS)
WHAT_EDITION = Message("P013", "an edition", PARTS)
WHAT_PAGE = Message("P014", "a page", PARTS)
WHAT_FRONT_MATTER = Message("P015", "the front matter", PARTS)
WHAT_KEY = Message("P016", '"{key}:"', PARTS)
WHAT_EACH_OF = Message("P017", 'each of "{key}:"', PARTS)
WHAT_ENTRY_OF = Message("P018", 'an entry of "{key}:"', PARTS)
WHAT_FILE = Message("P019", "{name}", PARTS)
WHAT_SCAN = Message("P020", "the scan", PARTS)
WHAT_PDF = Message("P021", "the PDF", PARTS)
WHAT_LEAD_PHOTO = Message("P022", "the lead photo", PARTS)
WHAT_IMAGE = Message("P023", "the image", PARTS)
SLUG_CHARACTERS = Message("P024", "may hold only lower-case ASCII letters, digits and hyphens", PARTS)
SLUG_DIGITS = Message("P025", "must not be digits alone (those URLs belong to printed pages)", PARTS)
SLUG_NO_LETTER = Message("P026", "must hold a letter or a digit", PARTS)
BOX_XY = Message("P027", "x and y must be between 0 and 100", PARTS)
BOX_SIZE = Message("P028", "the width and height must be more than 0", PARTS)
BOX_RIGHT = Message("P029", "x + w is {value}, past the right edge (100)", PARTS)
BOX_BOTTOM = Message("P030", "y + h is {value}, past the bottom edge (100)", PARTS)
NOT_FOUND = Message("P032", "was not found{suggestion}", PARTS)
NOT_A_PDF = Message("P033", "is not a PDF file (a PDF starts with %PDF-)", PARTS)
NOT_AN_IMAGE_FORMAT = Message("P034", "is not a JPEG or PNG image (it is {format})", PARTS)
NOT_AN_IMAGE = Message("P035", "is not a JPEG or PNG image (its bytes are not an image Pillow can read)", PARTS)
IMAGE_TOO_LARGE = Message("P036", "is too large an image (more than {megapixels} megapixels)", PARTS)
IMAGE_DAMAGED = Message("P037", "is a damaged image ({detail})", PARTS)
A_FOLDER_PART = Message("P038", "is a folder", PARTS)
NO_PAGEFIND = Message("P039", "search: true needs Pagefind: pip install 'pagefind[extended]' (or set "
                      "search: false in config.yaml)", PARTS)
PAGEFIND_CANNOT_RUN = Message("P040", "Pagefind could not run: {detail}", PARTS)
PAGEFIND_FAILED = Message("P041", "Pagefind failed to index the site: {detail}", PARTS)
CACHING_RULES = Message("P042", "the caching rules", PARTS)
SEARCH_INDEX = Message("P043", "the search index", PARTS)
UNKNOWN_FORMAT = Message("P045", "unknown", PARTS)
CORRECTION_TARGET = Message("P046", "{date} 《{title}》", PARTS)
CORRECTION_TARGET_PAGE = Message("P047", "{date} page {page} 《{title}》", PARTS)
NOT_YAML = Message("P049", "not valid YAML", PARTS)
PDF_PASSWORD = Message("P050", "is password-protected (encrypted): export the page again without a password", PARTS)
PDF_ENCRYPTION = Message("P051", "uses an encryption PDFium does not support: export the page again without a "
                         "password", PARTS)
PDF_NO_PAGES = Message("P052", "has no pages", PARTS)
PDF_DAMAGED = Message("P053", "is damaged: PDFium cannot open it (an interrupted export or copy?): export or copy "
                      "it again", PARTS)
PDF_NO_SIZE = Message("P054", "has a first page of no size", PARTS)
PDF_TOO_LARGE = Message("P055", "has a first page too large to be a printed page ({width} × {height} mm)", PARTS)

# The commands' summaries (after the diagnostics)
ONE_ERROR = Message("N001", "1 error: nothing was written", NOTES)
ERRORS = Message("N002", "{count} errors: nothing was written", NOTES)
CHECKED = Message("N003", "ok: {editions} editions, {articles} articles, {warnings} warnings", NOTES)
NOTHING_TO_CHECK = Message("N004", "ok: nothing to check", NOTES)

BUILT = Message("N005", "built {pages} into {out}: {rendered} rendered; files {added} added, {changed} changed, "
                "{removed} removed", NOTES)
UP_TO_DATE = Message("N006", "{out} is up to date", NOTES)
WROTE = Message("N007", "wrote {path}", NOTES)
IMPORTED = Message("N008", "import: {written} drafts written, {kept} kept, {skipped} parts of pages skipped", NOTES)
PLACED = Message("N009", "areas: {placed} placed, {missing} not found, {kept} already had area:, {no_pdf} on pages "
                 "without pdf:", NOTES)
FIXED = Message("N010", "fix: {changes} in {files} of {articles} articles", NOTES)
ONE_CHANGE = Message("P062", "1 change", NOTES)
CHANGES = Message("P063", "{count} changes", NOTES)
PREVIEW_FAILED = Message("N011", "{clock} {what}: {errors}, {kept} ({ms} ms)", NOTES)
PREVIEW_BUILT = Message("N012", "{clock} {what}: {done} in {ms} ms", NOTES)
ONE_ERROR_PART = Message("P064", "1 error", NOTES)
ERRORS_PART = Message("P065", "{count} errors", NOTES)
STILL_SERVING = Message("P066", "still serving the last good build", NOTES)
NO_GOOD_BUILD = Message("P067", "no good build to serve yet", NOTES)
OUTPUT_UP_TO_DATE = Message("P068", "the output is up to date", NOTES)
RENDERED = Message("P069", "{pages} rendered", NOTES)
RE_RENDERED = Message("P070", "{pages} re-rendered ({changed} changed, {added} added, {removed} removed)", NOTES)
FIRST_BUILD = Message("P071", "first build", NOTES)
FILES_CHANGED = Message("P072", "{names} changed", NOTES)
FILES_AND_MORE_CHANGED = Message("P073", "{names} and {more} more changed", NOTES)
FILE_DELETED = Message("P074", "{name} (deleted)", NOTES)
SERVING = Message("N013", "serving {url}", NOTES)
SERVING_EVERYWHERE = Message("N014", "serving {url} (listening on every interface)", NOTES)
WATCHING = Message("N015", "watching {site}: content/, layouts/, static/, config.yaml and the default theme; Ctrl-C "
                   "stops", NOTES)
ONE_PAGE = Message("P060", "1 page", NOTES)
PAGES = Message("P061", "{count} pages", NOTES)

# The command line and folders: a wrong command line or output folder (exit status 2)
NOT_A_SITE_FOLDER = Message("U101", "{site} is not a site folder (no config.yaml); choose one with --site", USAGE)
NOT_A_PORT = Message("U102", "--port {port} is not a port number (0-65535; 0 picks a free one)", USAGE)
CANNOT_LISTEN = Message("U103", "cannot listen on {host}:{port} ({reason}); choose another --port or --host", USAGE)
NO_SUCH_PATH = Message("U104", "{path}: no such file or folder", USAGE)
NOT_IN_SITE = Message("U105", "{path}: is not in the site {site}", USAGE)
NO_ARTICLE_THERE = Message("U106", "{path}: holds no article of the site (an article is a .md file beside "
                           "edition.yaml)", USAGE)
EDITION_EXISTS = Message("U107", "an edition of {date} already exists: {path}", USAGE)
ALREADY_EXISTS = Message("U108", "{path} already exists", USAGE)
SLUG_REFUSED = Message("U109", '"{slug}" is not a valid slug: it {problem}', USAGE)
NO_EDITION_YET = Message("U110", "there is no edition of {date}; create it first: python build.py new edition {date}",
                         USAGE)
NO_SUCH_PAGE = Message("U111", "the edition of {date} has no page {page} (its pages: {pages})", USAGE)
OUT_IS_SITE = Message("U112", "--out {out} would replace the site folder itself; choose a folder inside it, like "
                      "public/", USAGE)
OUT_IN_SITE_PART = Message("U113", "--out {out} is inside the site's {part}/ folder; choose another folder, like "
                           "public/", USAGE)
OUT_IS_FILE = Message("U114", "--out {out} is a file, not a folder", USAGE)
OUT_NOT_OURS = Message("U115", "--out {out} is not empty and does not look like an epaper output (no 404.html); "
                       "refusing to replace it: remove it or choose another folder", USAGE)
NO_EDITION_IN = Message("U116", "there is no edition of {date} in {folder}", USAGE)
NOT_A_SITE = Message("U117", "{site} is not a site: it has no usable config.yaml", USAGE)
NAME_THE_PDFS = Message("U118", "name the page PDFs, page 1 first", USAGE)
PDF_UNREADABLE = Message("U119", "{path} cannot be read: {reason}", USAGE)
PDF_REFUSED = Message("U120", "{path} {problem}; nothing was written", USAGE)
LOCKED = Message("U121", "another build (pid {pid}) is writing {out}; lock {lock}; nothing was written (without "
                 "--no-wait, the build waits for it)", USAGE)


# The machine: a full disk, a read-only folder, a permission (exit status 74)
MACHINE_FAILED = Message("U201", "{what}: {paths} ({reason}); {fix}", MACHINE)
MACHINE_FAILED_NO_PATH = Message("U202", "{what} ({reason}); {fix}", MACHINE)
WRITE_FAILED_UNTOUCHED = Message("U203", "{problem}. the previous output in {out} is untouched", MACHINE)
WRITE_FAILED_LIVE = Message("U204", "{problem}. the new site is live in {out}, but the build could not finish its "
                            "records: the next build brings them up to date", MACHINE)
DISK_FULL = Message("P080", "the disk is full", MACHINE)
QUOTA_USED = Message("P081", "the disk quota is used up", MACHINE)
READ_ONLY = Message("P082", "the file system is read-only", MACHINE)
PERMISSION_DENIED = Message("P083", "permission denied", MACHINE)
FILE_FOR_FOLDER = Message("P084", "a file is where a folder should be", MACHINE)
FOLDER_FOR_FILE = Message("P085", "a folder is where a file should be", MACHINE)
IO_ERROR = Message("P086", "an input/output error (a failing disk?)", MACHINE)
CANNOT_READ_OR_WRITE = Message("P087", "cannot read or write", MACHINE)
FREE_SPACE = Message("P088", "free some space and build again", MACHINE)
BUILD_ELSEWHERE = Message("P089", "build into a writable folder (--out) or remount it", MACHINE)
FIX_PERMISSIONS = Message("P090", "fix the permissions of that path, or build as the user owning it", MACHINE)
MOVE_FILE = Message("P091", "move that file away", MACHINE)
MOVE_FOLDER = Message("P092", "move that folder away", MACHINE)
CHECK_DISK = Message("P093", "check the disk, then build again", MACHINE)
CHECK_PATH = Message("P094", "check that path", MACHINE)


def all_messages() -> list[Message]:
    """Every message declared here, by id: what the catalogs translate and docs/errors.md lists."""
    found = {m.id: m for m in globals().values() if isinstance(m, Message)}
    return sorted(found.values(), key=lambda m: (SECTIONS.index(m.section), m.id[0] == "P", int(m.id[1:]), m.id))
