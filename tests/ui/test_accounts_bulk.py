"""The accounts table's selection (issue #18, item 6) through NiceGUI's simulated user: select, then suspend,
unsuspend, retire, move pool and export at once, each account's outcome in words; and the account form's
customer-facing name, monthly cost and renewal date."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest
from nicegui.testing import User
from sqlmodel import col, select

from domain.admin.admins import create_admin
from domain.catalog.pool import add_account, update_account
from domain.orders.orders import create_order, record_payment
from domain.shared.links import access_token
from domain.shared.models import AuditLog, ChatGPTAccount, EmailOutbox
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _rows
from tests.ui.test_admin_numbers import click_for_message

ADMIN = "admin:test@example.com"


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def _accounts(*emails: str, pool: str = "bulk") -> list[int]:
    def work(s) -> list[int]:
        return [
            add_account(session=s, actor=ADMIN, email=e, password="pw-123456", pool=pool, max_seats=2).id
            for e in emails
        ]

    return db.in_transaction(work)


def _account(account_id: int) -> ChatGPTAccount:
    with db.read_session() as s:
        account = s.get(ChatGPTAccount, account_id)
        assert account is not None
        return account


async def _select(user: User, *ids: int) -> None:
    """Tick the rows of `ids` as the browser's checkboxes do (Quasar's selection event)."""
    await user.should_see(marker="accounts-table")
    rows = [r for r in _rows(user, "accounts-table") if r["id"] in ids]
    assert len(rows) == len(ids)
    user.find("accounts-table").trigger("selection", {"added": True, "rows": rows, "keys": list(ids)})
    await user.should_see(f"{len(ids)} akun dipilih")


async def _run(user: User, action: str, *, pool: str = "") -> None:
    user.find(f"bulk-{action}").click()
    await user.should_see(marker="bulk-yes")
    if pool:
        user.find("bulk-pool").type(pool)
    user.find("bulk-yes").click()
    await user.should_see(marker="bulk-summary")


async def test_selected_accounts_are_suspended_unsuspended_and_moved_together(user: User, owner) -> None:
    first, second = _accounts("satu@example.com", "dua@example.com")
    await _login(user)
    await user.open("/admin/accounts")
    await user.should_see("Centang akun untuk tindakan sekaligus")
    await _select(user, first, second)
    await _run(user, "suspend")
    await user.should_see("2 akun ditangguhkan · 0 dilewati")
    assert {_account(first).status, _account(second).status} == {"SUSPENDED"}
    await user.should_see("Centang akun untuk tindakan sekaligus")  # the selection is cleared after a run
    user.find("bulk-close").click()

    await _select(user, first, second)
    await _run(user, "unsuspend")
    await user.should_see("2 akun aktif lagi · 0 dilewati")
    assert {_account(first).status, _account(second).status} == {"AVAILABLE"}
    user.find("bulk-close").click()

    await _select(user, first, second)
    await _run(user, "move_pool", pool="tim-baru")
    await user.should_see("2 akun dipindah · 0 dilewati")
    assert {_account(first).pool, _account(second).pool} == {"tim-baru"}
    with db.read_session() as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(col(AuditLog.action).like("account.bulk_%")))]
    assert actions == ["account.bulk_suspend", "account.bulk_unsuspend", "account.bulk_move_pool"]


async def test_retiring_a_selection_skips_an_account_with_customers_and_says_why(user: User, owner) -> None:
    (busy,) = _accounts("sibuk@example.com", pool="default")
    (idle,) = _accounts("kosong@example.com")

    def paid(s) -> None:  # every demo account of the default pool is full or retired but `busy`
        for account in s.exec(select(ChatGPTAccount).where(ChatGPTAccount.pool == "default")):
            if account.id != busy:
                account.status = "RETIRED"
                s.add(account)
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="c@example.com", name="C", phone="081234567890"
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test")

    db.in_transaction(paid)
    assert _account(busy).seats_used == 1
    await _login(user)
    await user.open("/admin/accounts")
    await _select(user, busy, idle)
    await _run(user, "retire")
    await user.should_see("1 akun dipensiunkan · 1 dilewati")
    await user.should_see("sibuk@example.com — masih ada pelanggan aktif; pindahkan atau cabut kursinya dulu")
    assert _account(idle).status == "RETIRED" and _account(idle).retired_at is not None
    assert _account(busy).status != "RETIRED"


async def test_a_move_without_a_pool_is_refused_in_words_and_changes_nothing(user: User, owner) -> None:
    (account,) = _accounts("diam@example.com")
    await _login(user)
    await user.open("/admin/accounts")
    await _select(user, account)
    user.find("bulk-move_pool").click()
    await user.should_see(marker="bulk-yes")
    assert await click_for_message(user, "bulk-yes") == "Tulis nama pool tujuan"
    assert _account(account).pool == "bulk"


async def test_the_export_downloads_the_selection_without_secrets(user: User, owner) -> None:
    first, second = _accounts("ekspor-1@example.com", "ekspor-2@example.com")
    await _login(user)
    await user.open("/admin/accounts")
    await _select(user, first, second)
    user.find("bulk-export").click()
    response = await user.download.next(timeout=5)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["email"] for r in rows] == ["ekspor-1@example.com", "ekspor-2@example.com"]
    assert "pw-123456" not in response.text and not {"password", "access_token"} & set(rows[0])
    await user.should_see("2 akun diekspor (tanpa kata sandi dan token)")


async def test_the_form_keeps_the_customer_name_monthly_cost_and_renewal_date(user: User, owner) -> None:
    await _login(user)
    await user.open("/admin/accounts")
    await user.should_see(marker="acc-add")
    user.find("acc-add").click()
    user.find("acc-email").type("workspace@example.com")
    user.find("acc-delivery").click()
    user.find("Undangan ke workspace (e-mail pelanggan diundang)").click()
    user.find("acc-seats").type("5")
    user.find("acc-note").type("Kartu Budi, jangan dibagikan")
    user.find("acc-display-name").type("Tim Kreatif")
    user.find("acc-monthly-cost").type("75.000")
    await user.should_see("Disimpan sebagai Rp 75.000")
    user.find("acc-renewal").type("2027-01-05")
    assert (await click_for_message(user, "acc-save")).startswith("Akun ditambahkan")
    with db.read_session() as s:
        saved = s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "workspace@example.com")).one()
    assert (saved.display_name, saved.monthly_cost_idr) == ("Tim Kreatif", 75_000)
    assert saved.subscription_expires_at == datetime(2027, 1, 4, 17, 0, tzinfo=UTC)

    # a cost it cannot read is refused in words and nothing changes
    await asyncio.sleep(0.1)
    await user.open("/admin/accounts")
    await user.should_see(marker="accounts-table")
    row = next(r for r in _rows(user, "accounts-table") if r["id"] == saved.id)
    user.find("accounts-table").trigger("edit", row)
    await user.should_see(marker="acc-monthly-cost")
    user.find("acc-monthly-cost").clear().type("75,5")
    await user.should_see("bukan jumlah rupiah bulat")
    assert "bukan jumlah rupiah bulat" in await click_for_message(user, "acc-save")
    assert _account(saved.id).monthly_cost_idr == 75_000


async def test_the_order_page_shows_the_new_password_by_itself(user: User) -> None:
    """The owner changes a shared login's password: its customers' open order pages show the new one (the
    change feed's account:<id>), and each customer is e-mailed it."""

    def paid(s) -> tuple[str, int]:
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="budi@example.com", name="Budi", phone="081234567890"
        )
        seat = record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test").assignment
        return order.code, seat.chatgpt_account_id

    code, account_id = db.in_transaction(paid)
    await user.open(f"/order/{code}?t={access_token(code)}")
    await user.should_see(marker="password")
    db.in_transaction(
        lambda s: update_account(session=s, actor=ADMIN, account_id=account_id, password="Sandi-Baru-2027")
    )
    await user.should_see("Sandi-Baru-2027", retries=60)
    with db.read_session() as s:
        mail = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "login_changed")).one()
    assert mail.to == "budi@example.com" and "Sandi-Baru-2027" not in mail.text


async def test_the_account_page_shows_the_name_cost_and_renewal_date(user: User, owner) -> None:
    account = db.in_transaction(
        lambda s: add_account(
            session=s,
            actor=ADMIN,
            email="ws-detail@example.com",
            delivery="INVITE",
            max_seats=3,
            display_name="Tim Kreatif",
            monthly_cost_idr="Rp 350.000",
            subscription_expires_at="05-01-2027",
        )
    )
    await _login(user)
    await user.open(f"/admin/accounts/{account.id}")
    await user.should_see("Tim Kreatif")
    await user.should_see("Rp 350.000")
    await user.should_see("05 Jan 2027")
