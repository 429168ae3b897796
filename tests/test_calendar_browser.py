"""Issue 15, point 8: the calendar date picker in a real browser (Debian's Chromium). Built from
editions.json, it marks the days with a paper as links and greys the others, opens on the current
edition's month, turns month by month, and works from the keyboard as the WAI-ARIA date grid does."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import CONFIG, EDITION, article, build_ok
from searching import served

pytest_plugins = ["browser"]

DATES = ("2022-10-28", "2022-11-01", "2022-11-03", "2022-11-04")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("calendar") / "site"
    files = {"config.yaml": CONFIG}
    for n, date in enumerate(DATES):
        folder = f"content/{date[:4]}/{date}/"
        files[folder + "edition.yaml"] = EDITION.format(date=date, number=11230 + n)
        files[folder + "a.md"] = article(f"文章{n}", page=1)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _, out = build_ok(root)
    with served(out) as url:
        yield url


def _days(page: Any) -> tuple[list[str], list[str]]:
    grid = page.locator("nav.calendar .calendar-grid")
    return grid.locator("a").all_inner_texts(), grid.locator("td.no-paper").all_inner_texts()


def test_calendar_opens_on_the_editions_month_marks_its_papers_and_a_click_opens_one(site: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{site}/2022-11-03/")
    calendar = page.locator("nav.calendar")
    expect(calendar.locator(".calendar-title")).to_have_text("2022年11月")
    links, greyed = _days(page)
    assert links == ["1", "3", "4"]
    assert greyed == [str(d) for d in range(1, 31) if d not in (1, 3, 4)]
    assert calendar.locator('td.no-paper[aria-disabled="true"]').count() == 27
    expect(calendar.locator('a[aria-current="date"]')).to_have_text("3")
    expect(calendar.locator(".calendar-next")).to_be_disabled()  # no paper after November
    calendar.locator(".calendar-prev").click()
    expect(calendar.locator(".calendar-title")).to_have_text("2022年10月")
    assert _days(page)[0] == ["28"]
    expect(calendar.locator(".calendar-prev")).to_be_disabled()
    calendar.locator(".calendar-grid a", has_text="28").click()
    page.wait_for_url(f"{site}/2022-10-28/")
    expect(page.locator("nav.calendar .calendar-title")).to_have_text("2022年10月")


def test_calendar_keyboard_arrows_move_between_days_and_enter_opens(site: str, chromium_page: Any) -> None:
    from playwright.sync_api import expect
    page = chromium_page
    page.goto(f"{site}/2022-11-03/")
    calendar = page.locator("nav.calendar")
    expect(calendar.locator(".calendar-title")).to_have_text("2022年11月")
    assert calendar.locator('.calendar-grid [tabindex="0"]').all_inner_texts() == ["3"]  # one tab stop: the day shown
    calendar.locator(".calendar-prev").focus()
    page.keyboard.press("Tab")  # past the next-month button (disabled: no paper after November)
    focused = "document.activeElement.textContent"
    assert page.evaluate(focused) == "3"
    page.keyboard.press("ArrowLeft")  # 2 November: no paper, still reachable
    assert page.evaluate(focused) == "2"
    assert page.evaluate("document.activeElement.getAttribute('aria-disabled')") == "true"
    page.keyboard.press("Enter")  # opens nothing
    assert page.url == f"{site}/2022-11-03/"
    page.keyboard.press("ArrowUp")  # a week before: 26 October, the month turns
    expect(calendar.locator(".calendar-title")).to_have_text("2022年10月")
    assert page.evaluate(focused) == "26"
    page.keyboard.press("End")  # the week's Sunday
    assert page.evaluate(focused) == "30"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(focused) == "28"
    page.keyboard.press("PageDown")  # a month on, same day
    expect(calendar.locator(".calendar-title")).to_have_text("2022年11月")
    assert page.evaluate(focused) == "28"
    page.keyboard.press("PageUp")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/2022-10-28/")


def test_archive_calendar_opens_on_the_latest_month_and_without_javascript_links_the_archive(
        site: str, chromium: Any) -> None:
    from playwright.sync_api import expect
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/2022-11-03/")
        assert page.locator("nav.calendar .calendar-grid").count() == 0
        page.locator("nav.calendar a.calendar-archive").click()
        page.wait_for_url(f"{site}/archive/#m2022-11")
    finally:
        context.close()
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site}/archive/")
        calendar = page.locator("nav.calendar")
        expect(calendar.locator(".calendar-title")).to_have_text("2022年11月")
        assert calendar.locator("[aria-current]").count() == 0  # the archive is no edition's page
        assert _days(page)[0] == ["1", "3", "4"]
    finally:
        context.close()
