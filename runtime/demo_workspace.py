"""Development out of the box (DESIGN.md §9): with no CHATGPT_API_BASE set, the app serves the ChatGPT simulator
itself and the demo shop has one automated workspace on it — a "Team" package in its own pool, so a demo purchase
shows the whole flow: invitation sent, accepted (the simulator's control API, or the admin page), member, removal.
The simulator keeps its workspaces in memory, so each start creates the demo workspace again with the shop's
current seats on it (as members when the shop saw them join, else as pending invites)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any, Protocol

from sqlmodel import Session, col, select

from domain.catalog.pool import add_account
from domain.catalog.products import create_product
from domain.shared.audit import SYSTEM
from domain.shared.crypto import decrypt_secret
from domain.shared.models import (
    AccountAssignment,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    Driver,
    InviteState,
    Product,
)
from infra import db
from infra.settings import Settings, kept_secret

log = logging.getLogger("aksesgpt.workspaces")
CHATGPT_SIM_MOUNT = "/_chatgpt_sim"
DEMO_DOMAIN = "@demo.aksesgpt.invalid"
DEMO_WORKSPACE_EMAIL = "demo-workspace" + DEMO_DOMAIN
DEMO_WORKSPACE_ID = "demo-workspace"
DEMO_SEATS = 5
DEMO_TEAM_PRODUCT = dict(
    slug="team-30-hari",
    name="ChatGPT Team 30 Hari",
    price_idr=99_000,
    duration_days=30,
    pool="team",
    sort_order=4,
    description="Kursi pribadi di workspace ChatGPT Team: undangan dikirim otomatis ke e-mail Anda.",
)


def seed_demo_workspace(*, session: Session, settings: Settings) -> bool:
    """Add the demo workspace account (and its package) once, to a demo shop (one seeded with [DEMO] accounts);
    False when it is there already or the shop is not a demo."""
    if session.exec(select(ChatGPTAccount.id).where(ChatGPTAccount.email == DEMO_WORKSPACE_EMAIL)).first():
        return False
    demo = session.exec(select(ChatGPTAccount.id).where(col(ChatGPTAccount.email).endswith(DEMO_DOMAIN))).first()
    if demo is None:
        return False
    if not session.exec(select(Product.id).where(Product.slug == DEMO_TEAM_PRODUCT["slug"])).first():
        create_product(session=session, actor=SYSTEM, **DEMO_TEAM_PRODUCT)  # type: ignore[arg-type]
    add_account(
        session=session,
        actor=SYSTEM,
        email=DEMO_WORKSPACE_EMAIL,
        pool="team",
        delivery=Delivery.INVITE,
        driver=Driver.CHATGPT,
        workspace_id=DEMO_WORKSPACE_ID,
        access_token=_demo_token(settings),
        max_seats=DEMO_SEATS,
        note="[DEMO] Workspace Tim Demo (simulator)",
        display_name="Workspace Tim Demo",
    )
    return True


def simulated_settings(settings: Settings) -> Settings:
    """The settings with the ChatGPT driver pointed at the simulator this app serves."""
    local = f"http://127.0.0.1:{settings.PORT}{CHATGPT_SIM_MOUNT}"
    return settings.model_copy(update={"CHATGPT_API_BASE": f"{local}/backend-api", "CHATGPT_AUTH_BASE": local})


def _demo_token(settings: Settings) -> str:
    return kept_secret(settings.DATA_DIR, "demo_workspace_token", lambda: "demo-" + secrets.token_urlsafe(24))


class WorkspaceSimulator(Protocol):
    """What the demo needs of the mounted simulator (integrations/chatgpt_sim's ChatGPTSim; runtime imports no
    integration, main.py hands it over)."""

    @property
    def workspaces(self) -> Mapping[str, Any]: ...

    def create_workspace(
        self, workspace_id: str, access_token: str, seats: int, *, session_token: str = "", name: str = ""
    ) -> dict[str, Any]: ...
    def invite(self, workspace_id: str, emails: list[str], role: str) -> dict[str, Any]: ...
    def accept(self, workspace_id: str, email: str) -> dict[str, Any]: ...


def start_demo_workspaces(sim: WorkspaceSimulator, settings: Settings) -> None:
    """Create the shop's automated workspaces in the mounted simulator, with the seats the shop holds on them."""
    with db.read_session() as session:
        accounts = list(
            session.exec(
                select(ChatGPTAccount).where(ChatGPTAccount.driver == Driver.CHATGPT, ChatGPTAccount.workspace_id != "")
            )
        )
        for account in accounts:
            if account.workspace_id in sim.workspaces:
                continue  # already there (the app was wired twice in one process)
            sim.create_workspace(
                account.workspace_id,
                decrypt_secret(account.access_token_enc),
                max(account.capacity, DEMO_SEATS),
                session_token=decrypt_secret(account.session_token_enc),
                name=account.note.removeprefix("[DEMO] ") or account.workspace_id,
            )
            seats = session.exec(
                select(AccountAssignment).where(
                    AccountAssignment.chatgpt_account_id == account.id,
                    AccountAssignment.status == AssignmentStatus.ACTIVE,
                )
            )
            for seat in seats:
                if seat.invite_state in (InviteState.INVITED, InviteState.JOINED):
                    sim.invite(account.workspace_id, [seat.customer_email], "standard-user")
                if seat.invite_state == InviteState.JOINED:
                    sim.accept(account.workspace_id, seat.customer_email)
    log.info("ChatGPT simulator: %s workspace(s) ready", len(accounts))
