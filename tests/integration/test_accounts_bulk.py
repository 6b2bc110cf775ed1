"""The accounts console (issue #18, item 6): bulk actions with each account's outcome and audit row, retiring,
the CSV export without secrets, the subscription fields, the renewal reminder, the new-login e-mail, and the
workspace name customers see."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from domain.admin.admins import create_admin
from domain.admin.shop_settings import save_shop_settings
from domain.catalog.pool import add_account, import_accounts_csv, update_account
from domain.catalog.pool_bulk import Skip, bulk_change, export_accounts_csv
from domain.catalog.renewals import RENEWAL_REMINDER_DAYS
from domain.notify.mail import SECRET_MASK, outgoing
from domain.orders.customer_view import order_page
from domain.orders.orders import create_order
from domain.seats.assignments import revoke_assignment
from domain.shared.errors import ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AdminAlert,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    Order,
)
from infra import db
from infra.types import utcnow
from runtime.jobs import remind_subscription_renewals
from tests.helpers import ADMIN, checked_out, fingerprint, make_account, make_product, pay

NEW_PASSWORD = "Ganti-Sandi-2027!"


def _account(account_id: int) -> ChatGPTAccount:
    with db.read_session() as s:
        account = s.get(ChatGPTAccount, account_id)
        assert account is not None
        return account


def _audits(action: str) -> list[AuditLog]:
    with db.read_session() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))))


def _paid_seat(product) -> AccountAssignment:
    seat = pay(checked_out(product)).assignment
    assert seat is not None
    return seat


def test_bulk_suspend_then_unsuspend_lists_each_account_and_audits_each(engine) -> None:
    first, second, third = make_account(max_seats=2), make_account(max_seats=2), make_account(max_seats=2)
    db.in_transaction(
        lambda s: bulk_change(session=s, actor=ADMIN, action="suspend", ids=[third.id], reason="cek dulu")
    )
    report = db.in_transaction(
        lambda s: bulk_change(session=s, actor=ADMIN, action="suspend", ids=[first.id, second.id, third.id, 99999])
    )
    assert [(o.account_id, o.skipped) for o in report.outcomes] == [
        (first.id, None),
        (second.id, None),
        (third.id, Skip.ALREADY_SUSPENDED),
        (99999, Skip.UNKNOWN),
    ]
    assert {_account(i).status for i in (first.id, second.id, third.id)} == {"SUSPENDED"}
    assert sorted(a.entity_id for a in _audits("account.suspend")) == sorted([first.id, second.id, third.id])
    summary = _audits("account.bulk_suspend")[-1]
    assert summary.actor == ADMIN and summary.details["done"] == [first.id, second.id]
    assert summary.details["skipped"] == [[third.id, "already_suspended"], [99999, "unknown"]]

    report = db.in_transaction(
        lambda s: bulk_change(session=s, actor=ADMIN, action="unsuspend", ids=[first.id, second.id])
    )
    assert len(report.done) == 2 and not report.skipped
    assert {_account(i).status for i in (first.id, second.id)} == {"AVAILABLE"}
    assert len(_audits("account.unsuspend")) == 2


def test_bulk_retire_sets_retired_at_skips_accounts_with_seats_and_never_unsuspends_them(engine) -> None:
    product = make_product()
    busy = make_account(max_seats=3)
    _paid_seat(product)  # lands on the only account of the pool
    idle = make_account(max_seats=3)
    before = utcnow()
    report = db.in_transaction(
        lambda s: bulk_change(session=s, actor=ADMIN, action="retire", ids=[busy.id, idle.id], reason="tutup")
    )
    assert [(o.account_id, o.skipped) for o in report.outcomes] == [(busy.id, Skip.HAS_SEATS), (idle.id, None)]
    retired = _account(idle.id)
    assert retired.status == "RETIRED" and retired.retired_at is not None and retired.retired_at >= before
    assert _account(busy.id).status != "RETIRED" and _account(busy.id).retired_at is None
    audit = _audits("account.retire")[-1]
    assert audit.entity_id == idle.id and audit.details["after"]["retired_at"] and audit.details["reason"] == "tutup"

    again = db.in_transaction(lambda s: bulk_change(session=s, actor=ADMIN, action="unsuspend", ids=[idle.id]))
    assert [o.skipped for o in again.outcomes] == [Skip.RETIRED]
    assert _account(idle.id).status == "RETIRED"


def test_bulk_move_pool_moves_empty_accounts_only(engine) -> None:
    product = make_product()
    busy = make_account(max_seats=2)
    _paid_seat(product)
    empty = make_account(max_seats=2)
    report = db.in_transaction(
        lambda s: bulk_change(session=s, actor=ADMIN, action="move_pool", ids=[busy.id, empty.id], pool="tim")
    )
    assert [o.skipped for o in report.outcomes] == [Skip.HAS_SEATS, None]
    assert (_account(empty.id).pool, _account(busy.id).pool) == ("tim", "default")
    update = _audits("account.update")[-1]
    assert update.entity_id == empty.id and update.details["after"]["pool"] == "tim"


def test_bad_bulk_input_is_refused_in_indonesian_and_changes_nothing(engine) -> None:
    account = make_account()
    state = fingerprint(engine)
    for kwargs in (
        {"action": "suspend", "ids": []},
        {"action": "suspend", "ids": ["1; drop"]},
        {"action": "move_pool", "ids": [account.id], "pool": "  "},
        {"action": "delete", "ids": [account.id]},
    ):
        with pytest.raises(ValidationFailed) as refused:
            db.in_transaction(lambda s, kw=kwargs: bulk_change(session=s, actor=ADMIN, **kw))  # type: ignore[misc]
        assert any(word in refused.value.message for word in ("Pilih", "bukan", "Tulis", "tidak dikenal"))
    assert fingerprint(engine) == state


def test_the_export_holds_no_password_or_token_and_is_audited(engine) -> None:
    secret, token = "Rahasia-Sekali-123", "eyJ.token-sangat-rahasia"
    account = db.in_transaction(
        lambda s: add_account(
            session=s,
            actor=ADMIN,
            email="tim@example.com",
            password=secret,
            delivery="INVITE",
            driver="chatgpt",
            workspace_id="ws-1",
            access_token=token,
            session_token=token + "-s",
            max_seats=5,
            display_name="Tim Kreatif",
            monthly_cost_idr="Rp 350.000",
            note='=HYPERLINK("x")',
        )
    )
    text = db.in_transaction(lambda s: export_accounts_csv(session=s, actor=ADMIN, ids=[account.id]))
    assert secret not in text and token not in text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["email"], row["display_name"], row["monthly_cost_idr"]) == ("tim@example.com", "Tim Kreatif", "350000")
    assert row["note"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert "password" not in row and "access_token" not in row
    assert _audits("account.export")[-1].details["accounts"] == [account.id]


def test_the_form_fields_are_read_like_the_package_price_and_a_new_date_resets_the_reminder(engine) -> None:
    account = make_account()
    for typed in ("75.000", "Rp 75.000", "75000"):
        db.in_transaction(
            lambda s, v=typed: update_account(session=s, actor=ADMIN, account_id=account.id, monthly_cost_idr=v)
        )
        assert _account(account.id).monthly_cost_idr == 75_000
    db.in_transaction(
        lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, subscription_expires_at="05-01-2027")
    )
    assert _account(account.id).subscription_expires_at == datetime(2027, 1, 4, 17, 0, tzinfo=UTC)  # midnight WIB
    state = fingerprint(engine)
    for field, bad in (("monthly_cost_idr", "75,5"), ("subscription_expires_at", "besok"), ("display_name", "x" * 121)):
        with pytest.raises(ValidationFailed) as refused:
            db.in_transaction(
                lambda s, f=field, b=bad: update_account(session=s, actor=ADMIN, account_id=account.id, **{f: b})
            )
        assert refused.value.context["field"] == field
    assert fingerprint(engine) == state


def test_the_renewal_reminder_alerts_once_per_date_and_again_for_a_new_date(engine) -> None:
    db.in_transaction(lambda s: create_admin(session=s, email="boss@example.com", password="boss-password-123"))
    now = utcnow()
    soon = make_account()
    later = make_account()
    for account, renews in ((soon, now + timedelta(days=3)), (later, now + timedelta(days=RENEWAL_REMINDER_DAYS + 2))):
        db.in_transaction(
            lambda s, a=account, r=renews: update_account(
                session=s, actor=ADMIN, account_id=a.id, subscription_expires_at=r, monthly_cost_idr=350_000
            )
        )

    def alert_mails() -> list[EmailOutbox]:
        with db.read_session() as s:
            return list(s.exec(select(EmailOutbox).where(EmailOutbox.kind == "admin_alert")))

    assert remind_subscription_renewals(now=now) == "renewals reminded 1"
    assert remind_subscription_renewals(now=now + timedelta(hours=2)) == "renewals reminded 0"
    mails = alert_mails()
    assert len(mails) == 1 and soon.email in mails[0].text and "Rp 350.000" in mails[0].text
    assert (
        _account(soon.id).subscription_reminded_at is not None and _account(later.id).subscription_reminded_at is None
    )
    with db.read_session() as s:
        assert s.exec(select(AdminAlert).where(AdminAlert.kind == "subscription_renewal")).one().active

    # renewed: a new date, a new reminder when it comes near (the old alert is over)
    db.in_transaction(
        lambda s: update_account(
            session=s, actor=ADMIN, account_id=soon.id, subscription_expires_at=now + timedelta(days=33)
        )
    )
    assert _account(soon.id).subscription_reminded_at is None
    with db.read_session() as s:
        assert not s.exec(select(AdminAlert).where(AdminAlert.kind == "subscription_renewal")).one().active
    assert remind_subscription_renewals(now=now + timedelta(days=29)) == "renewals reminded 2"
    assert len(alert_mails()) == 3


def test_a_password_change_mails_each_active_customer_the_new_login_without_storing_it(engine) -> None:
    product = make_product()
    account = make_account(max_seats=3)
    seats = [_paid_seat(product) for _ in range(3)]
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seats[2].id, actor=ADMIN, reason="x"))
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, note="catatan saja"))
    with db.read_session() as s:
        assert not s.exec(select(EmailOutbox).where(EmailOutbox.kind == "login_changed")).all()

    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, password=NEW_PASSWORD))
    with db.read_session() as s:
        mails = list(s.exec(select(EmailOutbox).where(EmailOutbox.kind == "login_changed")))
        active = {
            s.get(Order, seat.order_id).email  # type: ignore[union-attr]
            for seat in seats[:2]
        }
        audits = list(s.exec(select(AuditLog).where(col(AuditLog.entity) == "account")))
    assert {m.to for m in mails} == active and len(mails) == 2
    for mail in mails:
        assert NEW_PASSWORD not in mail.text + mail.html and SECRET_MASK in mail.text and mail.secret_enc
        assert NEW_PASSWORD not in mail.secret_enc
        assert NEW_PASSWORD in outgoing(mail).text and account.email in outgoing(mail).text
    notice = next(a for a in audits if a.action == "account.login_notice")
    assert notice.details["customers"] == 2 and NEW_PASSWORD not in str([a.details for a in audits])


def test_customers_see_the_display_name_never_the_private_note(engine) -> None:
    product = make_product()
    account = db.in_transaction(
        lambda s: add_account(
            session=s, actor=ADMIN, email="ws@example.com", delivery="INVITE", max_seats=3, note="Kartu kredit Budi"
        )
    )
    with db.write_session() as s:
        order, token = create_order(
            session=s, product_slug=product.slug, email="pembeli@example.com", name="Budi", phone="081234567890"
        )
    pay(order)

    def access_mail() -> str:
        with db.read_session() as s:
            return s.exec(select(EmailOutbox.text).where(EmailOutbox.kind == "access_ready")).one()

    def workspace_on_page() -> str:
        with db.read_session() as s:
            page = order_page(session=s, code=order.code, token=token)
            assert page.access is not None
            return page.access.workspace

    assert "Kartu kredit" not in access_mail() and "Workspace ChatGPT" in access_mail()
    assert workspace_on_page() == "Workspace ChatGPT"
    db.in_transaction(
        lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, display_name="  Tim   Kreatif ")
    )
    assert workspace_on_page() == "Tim Kreatif"


def test_the_admin_api_takes_and_answers_the_new_fields(engine) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.admin import router
    from domain.admin.api_tokens import issue_token

    admin = db.in_transaction(lambda s: create_admin(session=s, email="ops@example.com", password="ops-password-1"))
    token = db.in_transaction(lambda s: issue_token(session=s, admin_id=admin.id, name="bot", actor="test"))
    app = FastAPI()
    app.include_router(router)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    created = api.post(
        "/api/admin/chatgpt-accounts",
        json={
            "email": "ws-api@example.com",
            "delivery": "INVITE",
            "max_seats": 5,
            "display_name": "Tim API",
            "monthly_cost_idr": "Rp 75.000",
            "subscription_expires_at": "2027-01-05",
        },
    )
    assert created.status_code == 201, created.text
    account = created.json()["account"]
    assert (account["display_name"], account["monthly_cost_idr"]) == ("Tim API", 75_000)
    assert account["subscription_expires_at"].startswith("2027-01-04T17:00")
    bad = api.put(f"/api/admin/chatgpt-accounts/{account['id']}", json={"monthly_cost_idr": "75,5"})
    assert bad.status_code == 422 and bad.json()["field"] == "monthly_cost_idr"
    cleared = api.put(f"/api/admin/chatgpt-accounts/{account['id']}", json={"monthly_cost_idr": None})
    assert cleared.status_code == 200 and cleared.json()["account"]["monthly_cost_idr"] is None
    retired = api.put(f"/api/admin/chatgpt-accounts/{account['id']}", json={"status": "RETIRED"})
    assert retired.json()["account"]["retired_at"] is not None


def test_a_synced_workspace_keeps_the_renewal_date_chatgpt_gave(engine) -> None:
    account = db.in_transaction(
        lambda s: add_account(
            session=s,
            actor=ADMIN,
            email="auto@example.com",
            delivery="INVITE",
            driver="chatgpt",
            workspace_id="ws-auto",
            access_token="at-auto",
            max_seats=5,
        )
    )
    state = fingerprint(engine)
    with pytest.raises(ValidationFailed) as refused:
        db.in_transaction(
            lambda s: update_account(
                session=s, actor=ADMIN, account_id=account.id, subscription_expires_at="2027-02-01"
            )
        )
    assert refused.value.context["field"] == "subscription_expires_at" and "sinkron" in refused.value.message
    assert fingerprint(engine) == state
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, monthly_cost_idr=400_000))
    assert _account(account.id).monthly_cost_idr == 400_000


def test_the_owner_sets_how_many_days_ahead_the_renewal_reminder_comes(engine) -> None:
    owner = db.in_transaction(lambda s: create_admin(session=s, email="boss@example.com", password="boss-password-123"))
    now = utcnow()
    account = make_account()
    db.in_transaction(
        lambda s: update_account(
            session=s, actor=ADMIN, account_id=account.id, subscription_expires_at=now + timedelta(days=8)
        )
    )
    assert remind_subscription_renewals(now=now) == "renewals reminded 0"  # 8 days away, reminded 5 days ahead
    for bad in ("0", "31", "lima"):
        with pytest.raises(ValidationFailed):
            db.in_transaction(
                lambda s, b=bad: save_shop_settings(session=s, admin_id=owner.id, changes={"account_reminder_days": b})
            )
    db.in_transaction(
        lambda s: save_shop_settings(session=s, admin_id=owner.id, changes={"account_reminder_days": "10"})
    )
    assert remind_subscription_renewals(now=now) == "renewals reminded 1"


def test_the_csv_import_takes_the_name_customers_see_the_cost_and_the_renewal_day(engine) -> None:
    text = (
        "email,password,display_name,monthly_cost_idr,subscription_expires_at\n"
        "satu@pool.example,pw-111111,Tim Satu,Rp 75.000,05-01-2027\n"
        "dua@pool.example,pw-222222,,,\n"
        "tiga@pool.example,pw-333333,Tim Tiga,tujuh puluh ribu,\n"
    )
    report = db.in_transaction(lambda s: import_accounts_csv(session=s, actor=ADMIN, text=text))
    assert [r.email for r in report.ok] == ["satu@pool.example", "dua@pool.example"]
    [bad] = report.errors
    assert bad.line == 4 and "Biaya bulanan" in bad.error
    with db.read_session() as s:
        one = s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "satu@pool.example")).one()
        two = s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "dua@pool.example")).one()
    assert (one.display_name, one.monthly_cost_idr) == ("Tim Satu", 75_000)
    assert one.subscription_expires_at == datetime(2027, 1, 4, 17, 0, tzinfo=UTC)  # 05 Jan 2027 00.00 WIB
    assert (two.display_name, two.monthly_cost_idr, two.subscription_expires_at) == ("", None, None)
