"""The dashboard in headless Chromium (Debian's package, driven by Playwright).

A supervisor signs in, sees an alert, acknowledges it and sees it acknowledged;
an employer signs in and sees only their contact person.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from enkontakt.api.auth import demo_tokens, sign_in_url
from tests.api.support import SECRET, serving
from tests.projection import samples as s

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_a_supervisor_acknowledges_an_alert(base_url: str, browser: object, tmp_path: Path) -> None:
    tokens = demo_tokens(SECRET, units=["1902"], orgnr=s.ORGNR_A)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(sign_in_url(base_url, tokens["supervisor"]))
    row = page.locator('tr[data-alert-id="overdue-a"]')
    sync_api.expect(row).to_contain_text("An inquiry has passed its response deadline.")
    sync_api.expect(page.locator('tr[data-alert-id="overdue-c"]')).to_have_count(0)
    row.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    sync_api.expect(row).to_contain_text("Acknowledged by demo-supervisor")
    sync_api.expect(row.get_by_role("button", name="Acknowledge")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "supervisor.png"), full_page=True)

    page.get_by_role("link", name=f"Employer {s.ORGNR_A}").click()
    sync_api.expect(page.locator("h1")).to_contain_text(f"Employer {s.ORGNR_A}")
    sync_api.expect(page.locator("#inquiries")).to_contain_text("KS-1")
    sync_api.expect(page.locator("#timeline li")).to_have_count(1)


def test_an_employer_sees_only_the_contact_person(base_url: str, browser: object) -> None:
    tokens = demo_tokens(SECRET, units=["1902"], orgnr=s.ORGNR_A)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(sign_in_url(base_url, tokens["employer"]))
    card = page.locator("#contact-person")
    sync_api.expect(card).to_contain_text("Tora Veileder")
    sync_api.expect(card.get_by_role("link", name="+4741234567")).to_have_attribute(
        "href", "tel:+4741234567"
    )
    sync_api.expect(page.locator("#alerts")).to_have_count(0)
    sync_api.expect(page.locator("#employers")).to_have_count(0)
    body = page.locator("main").inner_text()
    assert "Acknowledge" not in body and "KS-1" not in body
    page.goto(f"{base_url}/employers/{s.ORGNR_A}")
    sync_api.expect(page.locator("main")).to_contain_text("Not available")
