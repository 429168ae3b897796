"""The reader's tools as built: the masthead (date and weekday, 第N期, 今日N版, the CN number and
publisher from config.yaml), the article's QR code and its 大/中/小 type-size buttons, in Chinese
and in English."""
from __future__ import annotations

import zxingcpp
from PIL import Image

from conftest import CONFIG, build_errors, build_ok, soup, two_editions

ZH = CONFIG + "cn_number: cn32-0001/g2\npublisher: 测试日报社\n"


def test_masthead_carries_date_weekday_issue_pages_today_cn_number_and_publisher(make_site) -> None:
    _, out = build_ok(make_site(two_editions(), config=ZH))
    for url in ("", "2022-11-04/", "2022-11-04/01/", "2022-11-04/brief/"):
        head = soup(out, url).select_one("header.masthead")
        assert head.select_one(".paper-name").get_text() == "测试日报"
        edition = head.select_one(".masthead-edition")
        assert edition.select_one("time")["datetime"] == "2022-11-04", url
        assert edition.select_one("time").get_text() == "2022年11月4日 星期五"
        assert edition.select_one(".issue-number").get_text() == "第11234期"
        assert edition.select_one(".page-count").get_text() == "今日2版"
        assert head.select_one(".cn-number").get_text() == "国内统一连续出版物号 CN 32-0001/G2"
        assert head.select_one(".publisher").get_text() == "主办：测试日报社"
    archive = soup(out, "archive/").select_one("header.masthead")  # no edition of its own
    assert archive.select_one(".masthead-edition") is None
    assert archive.select_one(".cn-number") is not None


def test_masthead_in_english_and_without_the_optional_keys(make_site) -> None:
    _, out = build_ok(make_site(two_editions(), config=CONFIG.replace("zh-CN", "en")))
    head = soup(out, "2022-11-03/").select_one("header.masthead")
    assert head.select_one(".masthead-edition").get_text(" ", strip=True) == \
        "Thursday, 3 November 2022 No. 11233 2 pages today"
    assert head.select_one(".masthead-meta") is None


def test_cn_number_of_another_shape_is_an_error_and_a_misspelt_key_gets_did_you_mean(make_site) -> None:
    site = make_site(two_editions(), config=CONFIG + "cn_number: 32-01\npublsher: 社\n")
    assert build_errors(site, strict=True) == [
        'config.yaml:11: "cn_number:" must be a 国内统一连续出版物号 such as CN 32-0001, not "32-01"',
        'config.yaml:12: warning: unknown key "publsher:" is ignored (did you mean "publisher"?)',
    ]


def test_article_has_a_labelled_qr_code_and_type_size_buttons(make_site) -> None:
    _, out = build_ok(make_site(two_editions(), config=ZH))
    page = soup(out, "2022-11-04/brief/")
    qr = page.select_one(".share .share-qr")
    svg = qr.select_one("svg")
    assert svg["role"] == "img"
    assert svg["aria-label"] == "本文链接的二维码：https://news.example.com/2022-11-04/brief/"
    assert qr.select_one("figcaption").get_text() == "微信扫一扫"
    assert page.select("script[src*=qr]") == []  # made at build time: no script library
    sizes = page.select(".type-size button")
    assert [(b["data-size"], b.get_text(), b["aria-pressed"]) for b in sizes] == [
        ("l", "大", "false"), ("m", "中", "true"), ("s", "小", "false")]
    assert page.select_one(".type-size")["aria-label"] == "字号"
    head_script = page.head.find("script", src=False, type=False)
    assert "epaper-type-size" in head_script.get_text()  # before the first paint
    en = make_site(two_editions(), config=CONFIG.replace("zh-CN", "en"), name="en")
    _, out = build_ok(en)
    page = soup(out, "2022-11-04/brief/")
    assert page.select_one(".share-qr figcaption").get_text() == "Scan to share"
    assert [b.get_text() for b in page.select(".type-size button")] == ["Large", "Medium", "Small"]


def _strokes(path: str) -> list[tuple[float, float, float]]:
    """An SVG path of M, m and h commands as its horizontal strokes: (x, y of the middle, length)."""
    import re
    strokes = []
    x = y = 0.0
    for command, dx, dy in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(dx), float(dy)
        elif command == "m":
            x, y = x + float(dx), y + float(dy)
        else:
            strokes.append((x, y, float(dx)))
            x += float(dx)
    return strokes


def _decoded(svg: str) -> list[str]:
    """What a QR reader finds in the inline SVG: its path's strokes drawn module by module into
    an image, then decoded (zxing-cpp's reader)."""
    import re

    import zxingcpp
    from PIL import Image, ImageDraw
    size = int(re.search(r'd="M0 0h(\d+)v', svg).group(1))
    image = Image.new("L", (size * 4, size * 4), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in _strokes(re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)):
        draw.rectangle((x * 4, (y - 0.5) * 4, (x + length) * 4 - 1, (y + 0.5) * 4 - 1), fill=0)
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_qr_code_svg_decodes_to_its_url_short_and_long() -> None:
    from epaper.site.qr import qr_svg
    urls = ["https://news.example.com/2022-11-04/brief/",
            "https://报.example.com/2022-11-04/%E6%96%B0%E9%97%BB/",
            "https://news.example.com/" + "/".join(f"part{i}" for i in range(30)) + "/"]  # a larger version
    for url in urls:
        svg = str(qr_svg(url, 'label "with" <quotes>'))
        assert _decoded(svg) == [url]
        assert 'aria-label="label &#34;with&#34; &lt;quotes&gt;"' in svg
        assert svg == str(qr_svg(url, 'label "with" <quotes>'))  # the same bytes every time


def _libzints(text: str) -> list[bytes]:
    """zxing-cpp's own code for `text`, its writer (libzint) choosing and applying the mask."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    size, data = image.shape[0], bytes(memoryview(image))
    return [data[row * size:(row + 1) * size] for row in range(size)]


def test_qr_code_is_libzints_own_module_for_module_whatever_the_text_and_size() -> None:
    """qr_modules scores the masks itself: it must choose libzint's mask (the lowest penalty,
    the first on a tie) and make the same code, for every version a link or a text may need.
    Texts drawn at random (not the bench's links): URLs of every length up to version 14,
    Chinese text, digits (another encoding mode)."""
    import random

    from epaper.site import qr

    chance = random.Random(2026)
    texts = [f"https://epaper.example.com/{chance.randint(1990, 2030)}-{chance.randint(1, 12):02d}-"
             f"{chance.randint(1, 28):02d}/{chance.choice(['a', 'xinwen-', ''])}{chance.randint(0, 10**6)}/"
             for _ in range(150)]
    texts += ["https://" + "".join(chance.choice("abcdefghijklmnopqrstuvwxyz0123456789-./%") for _ in
                                   range(chance.randint(1, 330))) for _ in range(200)]
    texts += ["".join(chance.choice("本报讯新闻纸ABCabc 0123456789%/?") for _ in range(chance.randint(1, 150)))
              for _ in range(100)]
    texts += ["".join(chance.choice("0123456789") for _ in range(chance.randint(1, 400))) for _ in range(50)]
    masks = set()
    for text in texts:
        rows = qr.qr_modules(text)
        assert rows == _libzints(text), text
        masks.add(zxingcpp.read_barcode(_image(rows)).extra["DataMask"])
    assert qr._symbol.cache_info().currsize >= 10  # sizes: versions 1 to 14 or so
    assert masks == set(range(8))  # every mask was chosen somewhere


def test_qr_code_is_encoded_once_with_the_first_mask_the_other_masks_made_from_it(monkeypatch) -> None:
    from epaper.site import qr

    qr.qr_modules("https://news.example.com/2022-11-04/brief/")  # the size's symbol made once
    calls: list[object] = []
    create = zxingcpp.create_barcode

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("data_mask"))
        return create(*args, **kwargs)

    monkeypatch.setattr(zxingcpp, "create_barcode", counted)
    rows = qr.qr_modules("https://news.example.com/2022-11-05/brief/")
    assert calls == [0]  # not libzint scoring eight masks one module at a time
    assert rows == _libzints("https://news.example.com/2022-11-05/brief/")


def _image(rows: list[bytes]) -> Image.Image:
    size = len(rows)
    image = Image.new("L", (size * 4 + 32, size * 4 + 32), 255)
    image.paste(Image.frombytes("L", (size, size), b"".join(rows)).resize((size * 4, size * 4), Image.NEAREST),
                (16, 16))
    return image


def test_qr_path_draws_each_dark_run_once_with_blank_rows_and_edges() -> None:
    """The path's strokes are exactly the grid's dark runs, whatever the grid: runs touching
    either edge, rows with none (the pen moves two rows down), one-module codes; checked by
    drawing the path back into a grid."""
    import random

    from epaper.site.qr import svg_path

    def drawn(path: str, width: int, height: int) -> list[bytes]:
        grid = [bytearray(b"\xff" * width) for _ in range(height)]
        for x, y, length in _strokes(path):
            for column in range(int(x), int(x + length)):
                assert grid[int(y)][column] == 255, "a module drawn twice"
                grid[int(y)][column] = 0
        return [bytes(row) for row in grid]

    chance = random.Random(7)
    grids = [[b"\x00"], [b"\xff\xff"], [b"\xff\x00", b"\xff\xff", b"\x00\xff"], [b"\x00" * 177]]
    for _ in range(400):
        width, height = chance.randint(1, 40), chance.randint(1, 8)
        grids.append([bytes(chance.choice((0, 0, 255)) if chance.random() > 0.2 else 255 for _ in range(width))
                      for _ in range(height)])
    for rows in grids:
        path = svg_path(rows, border=0)
        assert drawn(path, len(rows[0]), len(rows)) == rows, (rows, path)
        assert svg_path(rows, border=0) == path
    assert svg_path([b"\xff\x00\x00\xff\x00", b"\xff\xff\xff\xff\xff", b"\x00\xff\xff\xff\xff"]) == \
        "M5 4.5h2m1 0h1m-5 2h1"  # a light run, a blank row, a move back: the shortest text
