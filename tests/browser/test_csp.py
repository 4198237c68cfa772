"""The pages pass the Content-Security-Policy: the demo district's main pages, for a student, a
guardian, a teacher and the district administrator, load with the policy on and the browser
reports no violation (no blocked inline script, style block, font or image)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported by the page itself (the securitypolicyviolation event) and by Chromium's console.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI} ` +
                `at ${e.sourceFile}:${e.lineNumber} sample=${e.sample}`);
});
"""
ROLES = ["student1", "guardian1", "teacher1", "districtadmin"]
NOT_PAGES = ("export", ".ics", "/logout", "download", "/admin/")


def _links(page: Any, selector: str, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    seen: list[str] = []
    for href in hrefs:
        url = urlsplit(href)
        if url.netloc != urlsplit(base_url).netloc or any(bad in href for bad in NOT_PAGES):
            continue
        clean = f"{base_url}{url.path}" + (f"?{url.query}" if url.query else "")
        if clean not in seen:
            seen.append(clean)
    return seen


def test_main_pages_of_four_roles_load_without_a_csp_violation(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")
    from trellis.portal.demo import seed_demo_district

    seed_demo_district(students=20, seed=7, progress=lambda _line: None)
    violations: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "CSP-VIOLATION" in message.text or "Content Security Policy" in message.text
            else None)

    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy

    visited: list[str] = []
    for username in ROLES:
        page.context.clear_cookies()
        sign_in(page, live_server.url, username, settings.DEMO_PASSWORD)
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        pages = _links(page, "nav[aria-label=Main] a", live_server.url)
        pages += _links(page, "main a", live_server.url)[:6]  # classes, children, plans...
        for url in pages:
            answer = page.goto(url)
            assert answer is not None and answer.status < 500, url
            page.wait_for_load_state("networkidle")
            assert "content-security-policy" in answer.headers, url
            visited.append(url)
        screenshot(page, f"csp-{username}")

    # Pages with the most script: practice (KaTeX and its fonts), the skill map, Today, the
    # API docs (Swagger UI, served locally).
    page.context.clear_cookies()
    sign_in(page, live_server.url, "student1", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/practice/")
    practice = _links(page, "main a[href*='/practice/']", live_server.url)
    assert practice, "the demo student has something to practise"
    page.goto(practice[0])
    page.wait_for_load_state("networkidle")
    screenshot(page, "csp-practice")
    visited.append(practice[0])
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "csp-api-docs")

    # A form that asks before it deletes does so from a static script, not onsubmit="...".
    page.context.clear_cookies()
    sign_in(page, live_server.url, "districtadmin", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/playlists/")
    page.get_by_role("link", name="Edit").first.click()
    edit_url = page.url
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Delete playlist").click()
    expect(page.get_by_role("button", name="Delete playlist")).to_be_visible()
    assert asked == ["Delete this playlist? Its activities are kept."]
    assert page.url == edit_url  # dismissed: nothing deleted
    visited.append(edit_url)

    assert len(visited) >= 20, visited
    assert not violations, "\n".join(violations)
