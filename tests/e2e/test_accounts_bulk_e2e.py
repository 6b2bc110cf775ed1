"""The owner selects accounts and suspends them together, on a laptop and on a phone (nothing scrolls sideways,
each checkbox is a finger's size and says which account it selects)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.catalog.pool import add_account
from domain.shared.models import ChatGPTAccount
from infra import db
from tests.e2e.conftest import sign_in

SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_selected_accounts_are_suspended_together(shop, page: Page, shoot, size: str) -> None:
    emails = [f"pilih-{n}-{size}@example.com" for n in (1, 2)]
    db.in_transaction(
        lambda s: [
            add_account(session=s, actor="test", email=e, password="pw-123456", pool=f"bulk-{size}", max_seats=2)
            for e in emails
        ]
    )
    page.set_viewport_size(SIZES[size])
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/accounts")
    search = page.get_by_label("Cari e-mail / catatan")
    search.fill(f"-{size}@")
    search.press("Enter")
    page.wait_for_timeout(1500)  # the filtered rows replace the first page's (its boxes would be gone mid-test)
    for email in emails:
        box = page.get_by_label(f"Pilih {email}")
        expect(box).to_be_visible()
        found = None
        for _ in range(20):  # a live refresh may redraw the card between finding the box and measuring it
            found = box.bounding_box()
            if found:
                break
            page.wait_for_timeout(100)
        assert found and found["width"] >= 44 and found["height"] >= 44, found
        box.click()
    expect(page.get_by_text("2 akun dipilih")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    shoot(page, "1-selected")
    page.get_by_role("button", name="Tangguhkan").click()
    page.locator(".q-dialog").get_by_role("button", name="Ya").click()
    expect(page.get_by_text("2 akun ditangguhkan · 0 dilewati")).to_be_visible()
    shoot(page, "2-outcome")
    with db.read_session() as s:
        statuses = {
            s.exec(ChatGPTAccount.__table__.select().where(ChatGPTAccount.email == e)).one().status for e in emails
        }
    assert statuses == {"SUSPENDED"}
