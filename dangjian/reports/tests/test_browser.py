"""The dashboard and the big screen in real Chromium: every chart draws, no figure tile
overflows or overlaps another, the screen refreshes its data in place, and a phone shows the
tiles wrapped."""
# ruff: noqa: F811 (the world's fixtures are imported, then named as test arguments)

from pathlib import Path

import pytest
from django.conf import settings

from dangjian.core.testing import PASSWORD, log_in, member_data
from dangjian.reports.tests.dashboard_world import (  # noqa: F401 (fixtures)
    PERIOD,
    add_activity,
    at,
    campaign,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUERY = f"start={PERIOD['start']}&end={PERIOD['end']}"

CHARTS_DRAWN = """() => {
  const boxes = Array.from(document.querySelectorAll('[data-chart]'));
  return boxes.length > 0 && boxes.every((box) => {
    const canvas = box.querySelector('canvas');
    if (!canvas || !canvas.width || !canvas.height) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  });
}"""

TILE_PROBLEMS = """() => {
  const tiles = Array.from(document.querySelectorAll('.dash-tile'));
  const problems = [];
  tiles.forEach((tile) => {
    if (tile.scrollWidth > tile.clientWidth || tile.scrollHeight > tile.clientHeight) {
      problems.push('overflows: ' + tile.dataset.figure);
    }
  });
  const boxes = tiles.map((tile) => tile.getBoundingClientRect());
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 0.5 && down > 0.5) {
        problems.push('overlap: ' + tiles[i].dataset.figure + ' / ' + tiles[j].dataset.figure);
      }
    }
  }
  return {count: tiles.length, problems: problems};
}"""


def _drawn_and_tidy(page, tmp_path, name: str) -> None:
    """Every chart has non-blank pixels, the twelve tiles neither overflow nor overlap, and a
    screenshot is kept (in tmp_path, and in var/screenshots for people to look at)."""
    page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
    assert page.locator("[data-chart] canvas").count() == 4
    tiles = page.evaluate(TILE_PROBLEMS)
    assert tiles == {"count": 12, "problems": []}
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"))


def test_dashboard_and_big_screen_draw_every_chart_and_refresh_in_place(
    live_server, browser, district, people, world, add_activity, tmp_path
):
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, "alice", PASSWORD)
        page.get_by_role("link", name="我的账号").wait_for()
        page.get_by_role("link", name="数据看板").click()
        page.get_by_role("heading", name="数据看板").wait_for()
        page.goto(f"{live_server.url}/dashboard/?{QUERY}")
        _drawn_and_tidy(page, tmp_path, "dashboard-1440")
        people_tile = page.locator('[data-figure="campaigns.people"] [data-value]')
        assert people_tile.inner_text() == "9"

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.get_by_role("link", name="大屏模式").click()
        page.get_by_role("heading", name="党史学习教育和“我为群众办实事”数据大屏").wait_for()
        assert page.locator("nav").count() == 0
        _drawn_and_tidy(page, tmp_path, "screen-1920")
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080

        # A school member attends one more activity; the screen's refresh fetches the data
        # again and shows 10 people, without loading the page again.
        from dangjian.orgs import services as orgs

        school = district.branches[3]
        newcomer = orgs.create_member(by=None, organization=school, **member_data(district.rng))
        add_activity(school, at(4, 20), [newcomer], title="学校党课")
        fetched, navigated = [], []
        page.on("request", lambda r: "/dashboard/data.json" in r.url and fetched.append(r.url))
        page.on("framenavigated", lambda f: f == page.main_frame and navigated.append(f.url))
        page.evaluate("window.refreshDashboard()")
        page.locator('[data-figure="campaigns.people"] [data-value]').filter(
            has_text="10"
        ).wait_for()
        assert len(fetched) == 1 and QUERY in fetched[0]
        assert navigated == []
        assert page.locator('[data-figure="campaigns.sectors"] [data-value]').inner_text() == "4"
        page.wait_for_function(CHARTS_DRAWN)
    finally:
        context.close()


def test_on_a_phone_the_tiles_wrap_and_nothing_is_wider_than_the_screen(
    live_server, phone_page, world, tmp_path
):
    log_in(phone_page, live_server, "bob", PASSWORD)
    phone_page.wait_for_url(lambda url: "/login/" not in url)
    phone_page.goto(f"{live_server.url}/dashboard/?{QUERY}")
    phone_page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
    assert phone_page.evaluate(TILE_PROBLEMS) == {"count": 12, "problems": []}
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    rows = phone_page.evaluate(
        "new Set(Array.from(document.querySelectorAll('.dash-tile'))"
        ".map((t) => Math.round(t.getBoundingClientRect().top))).size"
    )
    assert rows == 6  # two tiles a row
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    phone_page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
