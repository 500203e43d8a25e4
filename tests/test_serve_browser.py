"""The web UI in a real browser: Debian's headless Chromium driven by Playwright against `songforge serve` on
loopback — open the UI, load an example, generate, wait, see the players and the picture. The screenshot is
kept as a test artifact in $SONGFORGE_ARTIFACTS (default: test-artifacts/)."""
import contextlib
import os

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from conftest import ROOT, serve_process  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def ui_page(url: str):
    """The web UI at `url`, loaded in headless Chromium; the browser closes after the block."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/", wait_until="networkidle", timeout=120_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def live_server(tmp_path, tiny_model):
    with serve_process(tmp_path, "--model", tiny_model) as (url, _):
        yield url


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed (scripts/install.sh)")
def test_ui_generates_an_example_song(live_server):
    out = os.environ.get("SONGFORGE_ARTIFACTS", os.path.join(ROOT, "test-artifacts"))
    os.makedirs(out, exist_ok=True)
    with ui_page(live_server) as page:
        page.locator("#sf-example input").click()
        page.get_by_role("option", name="harbor.lrc").click()
        page.wait_for_function("document.querySelector('#sf-text textarea').value.includes('harbor lights')",
                               timeout=30_000)
        page.locator("#sf-check").click()
        page.wait_for_function("document.querySelector('#sf-status').innerText.includes('ready')", timeout=60_000)
        page.locator("#sf-generate").click()
        page.wait_for_function("/Done|Failed|Refused/.test(document.querySelector('#sf-status').innerText)",
                               timeout=300_000)
        status = page.locator("#sf-status").inner_text()
        assert "Done" in status and "harbor" in status, status
        page.wait_for_selector("#sf-picture img", timeout=30_000)
        assert page.locator("#sf-mix audio").count() >= 1
        assert page.locator("audio").count() >= 5  # the mix and four stems
        page.screenshot(path=os.path.join(out, "serve_ui.png"), full_page=True)
    assert os.path.getsize(os.path.join(out, "serve_ui.png")) > 10_000


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed (scripts/install.sh)")
def test_ui_generates_the_placeholder_lyrics_as_typed(live_server):
    """What the lyrics box shows as its placeholder, typed as is (plain lyrics, no format chosen), makes a song."""
    from songforge.serve.ui import PLACEHOLDER
    with ui_page(live_server) as page:
        box = page.locator("#sf-text textarea")
        assert box.get_attribute("placeholder") == PLACEHOLDER
        # the first screen: lyrics, style and duration up front; format-specific fields only for their format
        assert page.locator("#sf-style textarea").is_visible() and page.locator("#sf-duration input").is_visible()
        assert not page.locator("#sf-genre").is_visible()
        out = os.environ.get("SONGFORGE_ARTIFACTS", os.path.join(ROOT, "test-artifacts"))
        os.makedirs(out, exist_ok=True)
        page.screenshot(path=os.path.join(out, "serve_ui_first_screen.png"))
        box.fill(PLACEHOLDER)
        page.locator("#sf-duration input").fill("12")
        page.locator("#sf-generate").click()
        page.wait_for_function("/Done|Failed|Refused/.test(document.querySelector('#sf-status').innerText)",
                               timeout=300_000)
        status = page.locator("#sf-status").inner_text()
        assert "Done" in status and "input" in status, status
        page.wait_for_selector("#sf-picture img", timeout=30_000)


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed (scripts/install.sh)")
def test_ui_reads_only_the_files_it_uploads(live_server, tmp_path):
    """The UI's Check: a manifest naming a file on the server is refused without its content; the same manifest
    naming an uploaded lyric file reads it."""
    import json
    secret = tmp_path / "secret_words.json"
    secret.write_text(json.dumps([{"word": "zebraquartz", "start": 0.5, "end": 1.0}]))
    upload = tmp_path / "words.json"
    upload.write_text(json.dumps([{"word": w, "start": 0.5 + i, "end": 0.9 + i} for i, w in enumerate(["sail", "on"])]))
    with ui_page(live_server) as page:
        box = page.locator("#sf-text textarea")
        box.fill(json.dumps([{"id": "a", "lrc_path": str(secret), "duration": 8}]))
        page.locator("#sf-check").click()
        page.wait_for_function("/ready|No song/.test(document.querySelector('#sf-status').innerText)", timeout=60_000)
        status = page.locator("#sf-status").inner_text()
        assert "is not among the files sent with this request" in status and "zebraquartz" not in status, status
        page.locator("#sf-files input[type=file]").set_input_files(str(upload))
        page.wait_for_timeout(1500)
        box.fill(json.dumps([{"id": "a", "lrc_path": "words.json", "duration": 8}]))
        page.locator("#sf-check").click()
        page.wait_for_function("/1 song\\(s\\) ready/.test(document.querySelector('#sf-status').innerText)",
                               timeout=60_000)
