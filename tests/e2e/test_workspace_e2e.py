"""The automated workspace story in Chromium (issue #16): the owner adds a workspace on the admin page; a customer
buys on a phone; the order page says the invitation went to their address and how to accept it; the customer
accepts (the simulator's control API plays ChatGPT's e-mail); the page shows them joined; the workspace is
deactivated; within the sync interval the customer's page shows the replacement workspace — never reloaded."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from domain.catalog.pool import add_account
from domain.catalog.products import create_product
from infra import db
from tests.e2e.conftest import ADMIN, pay_in_the_sandbox_tab, sign_in, this_process_on
from tests.e2e.test_stories_e2e import _checkout
from tests.live import start_stack

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory):
    """A shop of its own with its jobs running (the workspace worker and the sync every 3 s), serving its own
    ChatGPT simulator at /_chatgpt_sim (no CHATGPT_API_BASE set, as `make run`)."""
    folder = tmp_path_factory.mktemp("e2e-workspaces")
    url = f"sqlite:///{folder / 'shop.db'}"
    stack = start_stack(
        url,
        folder,
        midtrans=False,
        extra_env={
            "SCHEDULER_ENABLED": "1",
            "WORKSPACE_SYNC_INTERVAL_S": "3",
            "WORKSPACE_CONFIRM_POLL_S": "1",
            "SUPPORT_CONTACT": "WhatsApp 0812-0000-0000",
            "ADMIN_EMAIL": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
        },
    )
    with this_process_on(url):
        yield stack
        stack.stop()


def _sim(shop) -> str:
    return f"{shop.app_url}/_chatgpt_sim/_control"


def _workspace(shop, seats: int) -> tuple[str, str]:
    workspace_id, token = f"ws-cerita-{secrets.token_hex(3)}", f"at-{secrets.token_hex(12)}"
    body = {"workspace_id": workspace_id, "access_token": token, "seats": seats}
    httpx.post(f"{_sim(shop)}/workspaces", json=body, timeout=10).raise_for_status()
    return workspace_id, token


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def test_a_workspace_invites_the_buyer_and_replaces_itself_when_it_dies(
    shop, page: Page, browser: Browser, shoot
) -> None:
    db.in_transaction(
        lambda s: create_product(
            session=s,
            actor="test",
            slug="tim-cerita",
            name="Tim Cerita",
            price_idr=99_000,
            duration_days=30,
            pool="cerita",
        )
    )
    first_id, first_token = _workspace(shop, seats=3)

    # the owner adds the automated workspace
    admin = sign_in(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), shop.app_url)
    admin.goto(f"{shop.app_url}/admin/accounts")
    admin.get_by_role("button", name="Tambah akun").click()
    admin.get_by_label("E-mail akun").fill("tim-cerita-1@workspace.example")
    admin.get_by_label("Pool").last.fill("cerita")
    _choose(admin, "Cara pelanggan masuk", "Undangan ke workspace (e-mail pelanggan diundang)")
    admin.get_by_label("Maks. kursi").fill("3")
    admin.get_by_label("Catatan (hanya untuk admin)").fill("Kartu kredit Budi")  # private: never shown to customers
    admin.get_by_label("Nama workspace untuk pelanggan").fill("Tim Cerita Satu")
    _choose(admin, "Siapa yang mengundang dan mengeluarkan", "Otomatis (ChatGPT)")
    admin.get_by_label("ID workspace").fill(first_id)
    admin.get_by_label("Access token").fill(first_token)
    shoot(admin, "1-owner-adds-workspace")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.get_by_text("Akun ditambahkan")).to_be_visible()
    expect(admin.get_by_text(first_token)).to_have_count(0)  # a token is never shown again

    # a customer buys on a phone and pays
    buyer = f"pembeli-{secrets.token_hex(3)}@example.com"
    page.set_viewport_size(PHONE)
    _checkout(page, shop, "tim-cerita", buyer)
    expect(page.get_by_text("Menunggu pembayaran. Halaman ini diperbarui otomatis.")).to_be_visible(timeout=15000)
    pay_in_the_sandbox_tab(page, re.compile("Pembayaran diterima|Undangan terkirim"))

    # the page says where the invitation went and how to accept it
    expect(page.get_by_text(f"Undangan terkirim ke {buyer}")).to_be_visible(timeout=20000)
    expect(page.get_by_text("Cara masuk")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("chatgpt.com"))).to_be_visible()
    shoot(page, "2-invitation-sent")
    seen = httpx.get(f"{_sim(shop)}/workspaces/{first_id}", timeout=10).json()
    assert seen["invites"] == [buyer] and seen["invites_sent"] == 1

    # the customer accepts ChatGPT's e-mail: the next sync shows them joined
    httpx.post(f"{_sim(shop)}/workspaces/{first_id}/accept", json={"email": buyer}, timeout=10).raise_for_status()
    expect(page.get_by_text("Anda sudah bergabung di workspace Tim Cerita Satu")).to_be_visible(timeout=20000)
    expect(page.get_by_text(re.compile("Kartu kredit"))).to_have_count(0)
    shoot(page, "3-joined")

    # a second workspace in the pool; the first is deactivated by ChatGPT
    second_id, second_token = _workspace(shop, seats=3)
    db.in_transaction(
        lambda s: add_account(
            session=s,
            actor="test",
            email="tim-cerita-2@workspace.example",
            pool="cerita",
            delivery="INVITE",
            driver="chatgpt",
            workspace_id=second_id,
            access_token=second_token,
            max_seats=3,
            display_name="Tim Cerita Dua",
        )
    )
    httpx.post(f"{_sim(shop)}/workspaces/{first_id}/deactivate", timeout=10).raise_for_status()
    expect(page.get_by_text(re.compile("Akses Anda sudah dipindahkan ke workspace baru"))).to_be_visible(timeout=30000)
    expect(page.get_by_text("Workspace: Tim Cerita Dua")).to_be_visible(timeout=20000)
    expect(page.get_by_text(f"Undangan terkirim ke {buyer}")).to_be_visible(timeout=20000)
    shoot(page, "4-replaced")
    assert httpx.get(f"{_sim(shop)}/workspaces/{second_id}", timeout=10).json()["invites"] == [buyer]

    # the owner sees the dead workspace in words
    admin.goto(f"{shop.app_url}/admin/accounts")
    expect(admin.get_by_text("Diblokir").first).to_be_visible(timeout=10000)
    shoot(admin, "5-owner-sees-banned")
    admin.context.close()
