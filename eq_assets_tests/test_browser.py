"""What a person sees, in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
playwright's Python package; playwright downloads no browser of its own) on

- ``report.html`` of the tiny end-to-end world (conftest ``tiny_world``): every table is there,
  every image is decoded, and the page makes no network request (file and data URIs only);
- the Dagster UI (``dagster dev`` started here on a free 127.0.0.1 port, on the tiny world's
  instance): the asset graph renders its assets, a materialized table shows its paper-style
  table and coefficient plot, and the column schema shows the variables' descriptions.

Screenshots go to ``data/screenshots/`` for inspection. Skipped (with the reason) when
/usr/bin/chromium is absent; ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from eq_assets.settings import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = os.environ.get("EQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = REPO_ROOT / "data" / "screenshots"
UI_START_TIMEOUT = 240  # seconds for `dagster dev` to answer (a bound, not a performance assertion)
PAGE_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # playwright gives each launch a fresh temporary profile (--user-data-dir)
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tiny_world):
    """``dagster dev`` on the tiny world's instance; yields its base URL; stopped afterwards."""
    port = _free_port()
    exe = Path(sys.executable).parent / "dagster"
    log = open(tiny_world["root"] / "dagster_dev.log", "w")
    proc = subprocess.Popen(
        [str(exe), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=REPO_ROOT, env={**tiny_world["env"], "DAGSTER_HOME": tiny_world["env_vars"]["DAGSTER_HOME"]},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + UI_START_TIMEOUT
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/server_info", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dagster dev did not start: see {log.name}")
            time.sleep(1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: dev, webserver, daemon, code server
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _page(browser, width=1400, height=1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


def _images_loaded(page, selector="img") -> list[int]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.complete ? e.naturalWidth : 0)")


def test_report_shows_every_table_and_plot_offline(tiny_world, browser):
    from eq_assets.regressions.specs import tables

    out = tiny_world["root"] / "outputs"
    # every paper table (results.csv's table TFP, the production functions, has no paper table)
    expected = [f"{p.lower()}-table{t}" for p, t in tables()] + ["p2-table1"]
    page = _page(browser, 1200, 900)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto((out / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert outside == []  # self-contained: nothing fetched from anywhere
    assert page.title() == "eq_assets replication report"
    ids = page.eval_on_selector_all("section.table-block", "els => els.map(e => e.id)")
    assert sorted(ids) == sorted(expected)
    for tid in expected:
        assert page.locator(f"#{tid}").is_visible()
    body = page.inner_text("body")
    for words in ("P1 Table 7. Instrumental variables (2SLS)", "Kleibergen-Paap rk Wald F", "Stock-Yogo",
                  "Truth comparison", "Rows dropped by reason", "Run manifest", "sha256", "customs/customs_2009.csv"):
        assert words in body, words
    widths = _images_loaded(page)
    # a coefficient plot per regression table, first-stage strength, two distributions, match rates, drops
    assert len(widths) == len(expected) - 1 + 5 and all(w > 0 for w in widths)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report_top.png"))
    page.locator("#p1-table7").screenshot(path=str(SHOTS / "report_p1_table7.png"))
    page.close()


def _dismiss_popups(page) -> None:
    """Close the UI's one-time "Join the Dagster community" dialog if it is open."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count() and skip.first.is_visible():
        skip.first.click()


def _open_markdown(page, key: str):
    """Click "[Show Markdown]" of metadata entry ``key`` (Events tab); return the dialog."""
    row = page.locator("tr", has=page.get_by_text(key, exact=True)).first
    row.get_by_text("Show Markdown").click()
    dialog = page.get_by_role("dialog").last
    dialog.wait_for(state="visible")
    return dialog


def test_ui_asset_graph_table_metadata_plot_and_column_descriptions(ui, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser)
    # the global asset graph: one node per group (folders are stages), sources to reports
    page.goto(f"{ui}/asset-groups")
    for group in ("sources", "cleaning", "matching", "quality", "frontier", "regressions", "reports"):
        page.get_by_text(group, exact=True).last.wait_for(state="visible")
    _dismiss_popups(page)
    page.screenshot(path=str(SHOTS / "ui_asset_graph.png"))
    # one group's graph: its asset nodes, with their checks passed and every year partition filled
    page.goto(f"{ui}/asset-groups~group%3A%22matching%22")
    page.get_by_text("3 / 3 Passed").first.wait_for(state="visible")
    assert page.get_by_text("3 / 3 Passed").count() == 2 and page.get_by_text("11 partitions").count() == 2
    for name in ("customs_firm_match", "matched_exports"):
        assert page.get_by_text(name, exact=True).count() >= 2  # the sidebar and the graph node
    _dismiss_popups(page)
    page.screenshot(path=str(SHOTS / "ui_matching_graph.png"))

    # a materialized table: its latest materialization shows the paper-style table and the coefficient plot
    page.goto(f"{ui}/assets/p1_table7?view=events")
    page.get_by_text("coefficient_plot", exact=True).first.wait_for(state="visible")
    page.wait_for_timeout(1000)
    _dismiss_popups(page)
    dialog = _open_markdown(page, "table")
    for words in ("P1 Table 7. Instrumental variables (2SLS)", "Kleibergen-Paap rk Wald F", "Stock-Yogo", "IV_phone"):
        dialog.get_by_text(words).first.wait_for(state="visible")
    page.screenshot(path=str(SHOTS / "ui_p1_table7_table.png"))
    dialog.get_by_role("button", name="Close").click()
    dialog = _open_markdown(page, "coefficient_plot")
    plot = dialog.locator('img[alt="P1 Table 7 coefficients"]')
    plot.wait_for(state="visible")
    assert plot.evaluate("e => e.complete && e.naturalWidth") > 0
    assert (plot.get_attribute("src") or "").startswith("data:image/png;base64,")
    page.screenshot(path=str(SHOTS / "ui_p1_table7_plot.png"))
    dialog.get_by_role("button", name="Close").click()

    # the column schema shows each column's description (the data dictionary)
    page.goto(f"{ui}/assets/p1_panel")
    page.get_by_text("Quality distance to the frontier = frontier - quality", exact=False).first.wait_for(state="visible")
    _dismiss_popups(page)
    page.screenshot(path=str(SHOTS / "ui_p1_panel_columns.png"))
    page.close()
