"""Packages (prices, durations, active, popular, order) and admin users (owners add, disable, reset)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui
from sqlmodel import Session

from domain.admin.admins import add_admin, list_admins, reset_admin_password, set_admin_active
from domain.admin.api_tokens import issue_token, revoke_token, tokens_of
from domain.catalog.products import create_product, list_products, update_product
from domain.shared.i18n import format_idr
from domain.shared.models import AdminApiToken, AdminUser, Product
from infra import db
from pages.admin.frame import Done, Refused, SignedIn, act, attempt, fetch
from pages.admin.table import row_of, stored_id, table_rows, wib

EDIT_BUTTON = (
    '<q-td :props="props"><q-btn flat dense round size="sm" icon="edit" '
    "@click=\"$parent.$emit('edit', props.row)\"/></q-td>"
)
USER_BUTTONS = (
    '<q-td :props="props"><q-btn flat dense no-caps size="sm" '
    ":label=\"props.row.is_active ? 'Nonaktifkan' : 'Aktifkan'\" "
    "@click=\"$parent.$emit('toggle', props.row)\"/>"
    '<q-btn flat dense no-caps size="sm" label="Reset sandi" '
    "@click=\"$parent.$emit('reset', props.row)\"/></q-td>"
)


def columns(*labels: tuple[str, str]) -> list[dict[str, Any]]:
    """Left-aligned text columns, then the row's buttons."""
    return [{"name": k, "label": label, "field": k, "align": "left"} for k, label in labels] + [
        {"name": "actions", "label": "", "field": "id"}
    ]


@dataclass
class ProductRow:
    id: int | None  # None: a package not saved yet
    slug: str
    name: str
    description: str
    price_idr: int
    price: str
    duration_days: int
    pool: str
    is_active: bool
    is_popular: bool
    sort_order: int

    @classmethod
    def of(cls, p: Product) -> ProductRow:
        return cls(
            id=stored_id(p.id),
            slug=p.slug,
            name=p.name,
            description=p.description,
            price_idr=p.price_idr,
            price=format_idr(p.price_idr),
            duration_days=p.duration_days,
            pool=p.pool,
            is_active=p.is_active,
            is_popular=p.is_popular,
            sort_order=p.sort_order,
        )


NEW_PRODUCT = ProductRow(
    id=None,
    slug="",
    name="",
    description="",
    price_idr=79000,
    price="",
    duration_days=30,
    pool="default",
    is_active=True,
    is_popular=False,
    sort_order=0,
)
PRODUCT_COLUMNS = columns(
    ("slug", "Slug"),
    ("name", "Nama"),
    ("price", "Harga"),
    ("duration_days", "Hari"),
    ("pool", "Pool"),
    ("is_active", "Dijual"),
    ("is_popular", "Populer"),
    ("sort_order", "Urutan"),
)


@dataclass(frozen=True)
class PackagesView:
    products: list[ProductRow]


def products() -> list[ProductRow]:
    with db.read_session() as session:
        return [ProductRow.of(p) for p in list_products(session=session, active_only=False)]


def load_packages() -> PackagesView:
    return PackagesView(products())


def product_saver(admin: SignedIn, product_id: int | None, fields: dict[str, Any]) -> Callable[[Session], object]:
    if product_id is not None:
        return lambda s: update_product(session=s, actor=admin.actor, product_id=product_id, **fields)
    return lambda s: create_product(session=s, actor=admin.actor, **fields)


def product_dialog(admin: SignedIn, done: Done, existing: ProductRow | None = None) -> None:
    data = existing or NEW_PRODUCT
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label("Ubah paket" if existing else "Tambah paket").classes("text-lg font-bold")
        slug = ui.input("Slug (untuk URL)", value=data.slug).classes("w-full")
        name = ui.input("Nama", value=data.name).classes("w-full")
        description = ui.input("Deskripsi", value=data.description).classes("w-full")
        price = ui.number("Harga (Rp)", value=data.price_idr, min=1, precision=0).classes("w-full")
        days = ui.number("Durasi (hari)", value=data.duration_days, min=1, precision=0).classes("w-full")
        pool = ui.input("Pool", value=data.pool).classes("w-full")
        order = ui.number("Urutan", value=data.sort_order, precision=0).classes("w-full")
        active = ui.switch("Dijual", value=data.is_active)
        popular = ui.switch("Tandai populer", value=data.is_popular)

        async def save() -> None:
            fields = {
                "slug": (slug.value or "").strip(),
                "name": name.value or "",
                "description": description.value or "",
                "price_idr": int(price.value or 0),
                "duration_days": int(days.value or 0),
                "pool": pool.value or "default",
                "is_active": active.value,
                "is_popular": popular.value,
                "sort_order": int(order.value or 0),
            }
            if await act(product_saver(admin, existing.id if existing else None, fields), "Paket disimpan"):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save)
    dialog.open()


def packages_ui(admin: SignedIn, view: PackagesView) -> None:
    table = (
        ui.table(columns=PRODUCT_COLUMNS, rows=table_rows(view.products), row_key="id")
        .classes("w-full")
        .props("flat bordered dense")
        .mark("packages-table")
    )
    table.add_slot("body-cell-actions", EDIT_BUTTON)

    async def reload() -> None:
        rows = await fetch(products)
        if not isinstance(rows, Refused):
            table.rows = table_rows(rows)
            table.update()

    table.on("edit", lambda e: product_dialog(admin, reload, row_of(ProductRow, e.args)))
    ui.button("Tambah paket", icon="add", on_click=lambda: product_dialog(admin, reload))


@dataclass
class AdminRow:
    id: int
    email: str
    role: str
    active: str
    is_active: bool
    last_login: str
    locked: str

    @classmethod
    def of(cls, a: AdminUser) -> AdminRow:
        return cls(
            id=stored_id(a.id),
            email=a.email,
            role=a.role,
            active="ya" if a.is_active else "tidak",
            is_active=a.is_active,
            last_login=wib(a.last_login_at),
            locked=wib(a.locked_until),
        )


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    created: str
    used: str
    revoked: str

    @classmethod
    def of(cls, t: AdminApiToken) -> TokenRow:
        return cls(
            id=stored_id(t.id),
            name=t.name,
            created=wib(t.created_at),
            used=wib(t.last_used_at),
            revoked=wib(t.revoked_at),
        )


ADMIN_COLUMNS = columns(
    ("email", "E-mail"),
    ("role", "Peran"),
    ("active", "Aktif"),
    ("last_login", "Login terakhir"),
    ("locked", "Terkunci sampai"),
)


@dataclass(frozen=True)
class UsersView:
    admins: list[AdminRow]
    tokens: list[TokenRow]  # the signed-in admin's own


def admin_rows() -> list[AdminRow]:
    with db.read_session() as session:
        return [AdminRow.of(a) for a in list_admins(session=session)]


def token_rows(admin_id: int) -> list[TokenRow]:
    with db.read_session() as session:
        return [TokenRow.of(t) for t in tokens_of(session=session, admin_id=admin_id)]


def load_users(admin_id: int) -> UsersView:
    return UsersView(admin_rows(), token_rows(admin_id))


def reset_dialog(admin: SignedIn, row: AdminRow) -> None:
    with ui.dialog() as dialog, ui.card():
        ui.label(f"Kata sandi baru untuk {row.email}")
        password = ui.input("Kata sandi (min. 10 karakter)", password=True).classes("w-full")

        async def save() -> None:
            if await act(
                lambda s: reset_admin_password(
                    session=s, actor_id=admin.id, admin_id=row.id, password=password.value or ""
                ),
                "Diganti",
                owner_only=True,
            ):
                dialog.close()

        ui.button("Simpan", on_click=save)
    dialog.open()


def admins_table(admin: SignedIn, rows: list[AdminRow]) -> Done:
    """The admins with their enable and reset buttons; returns what reads them again."""
    table = (
        ui.table(columns=ADMIN_COLUMNS, rows=table_rows(rows), row_key="id")
        .classes("w-full")
        .props("flat bordered dense")
        .mark("users-table")
    )
    table.add_slot("body-cell-actions", USER_BUTTONS)

    async def reload() -> None:
        rows = await fetch(admin_rows)
        if not isinstance(rows, Refused):
            table.rows = table_rows(rows)
            table.update()

    async def toggle(row: AdminRow) -> None:
        if await act(
            lambda s: set_admin_active(session=s, actor_id=admin.id, admin_id=row.id, active=not row.is_active),
            "Disimpan",
            owner_only=True,
        ):
            await reload()

    table.on("toggle", lambda e: toggle(row_of(AdminRow, e.args)))
    table.on("reset", lambda e: reset_dialog(admin, row_of(AdminRow, e.args)))
    return reload


def add_admin_form(admin: SignedIn, reload: Done) -> None:
    ui.label("Tambah admin").classes("text-lg font-bold mt-4")
    with ui.row().classes("items-end gap-3"):
        email = ui.input("E-mail").props("dense outlined")
        password = ui.input("Kata sandi (min. 10)", password=True).props("dense outlined")
        role = (
            ui.select({"staff": "Staf", "owner": "Pemilik"}, value="staff", label="Peran")
            .props("dense outlined")
            .classes("w-32")
        )

        async def create() -> None:
            if await act(
                lambda s: add_admin(
                    session=s,
                    actor_id=admin.id,
                    email=email.value or "",
                    password=password.value or "",
                    role=role.value,
                ),
                "Admin dibuat",
                owner_only=True,
            ):
                email.value = password.value = ""
                await reload()

        ui.button("Tambah", on_click=create)


class TokenList:
    """The signed-in admin's own API tokens, each with its revoke button."""

    def __init__(self, admin: SignedIn, tokens: list[TokenRow]) -> None:
        self.admin = admin
        self.box = ui.column().classes("w-full gap-1")
        self.show(tokens)

    def show(self, tokens: list[TokenRow]) -> None:
        self.box.clear()
        with self.box:
            for token in tokens:
                with ui.row().classes("items-center gap-3"):
                    state = f"dicabut {token.revoked}" if token.revoked else f"terakhir dipakai {token.used or '-'}"
                    ui.label(f"{token.name} · dibuat {token.created} · {state}").classes("text-sm")
                    if not token.revoked:
                        ui.button("Cabut", on_click=lambda t=token: self.revoke(t)).props(
                            "flat dense no-caps size=sm color=negative"
                        )

    async def reload(self) -> None:
        tokens = await fetch(token_rows, self.admin.id)
        if not isinstance(tokens, Refused):
            self.show(tokens)

    async def revoke(self, token: TokenRow) -> None:
        actor = self.admin.actor
        if await act(lambda s: revoke_token(session=s, token_id=token.id, actor=actor), "Token dicabut"):
            await self.reload()


def new_token_form(admin: SignedIn, tokens: TokenList) -> None:
    with ui.row().classes("items-end gap-3"):
        token_name = ui.input("Nama token (dipakai untuk apa)").props("dense outlined")

        async def new_token() -> None:
            def work(s: Session) -> str:
                return issue_token(session=s, admin_id=admin.id, name=token_name.value or "", actor=admin.actor)

            value = await attempt(work)
            if isinstance(value, Refused):
                return
            with ui.dialog() as dialog, ui.card():
                ui.label("Salin token ini sekarang; token tidak akan ditampilkan lagi.")
                ui.label(value).classes("font-mono break-all").mark("new-token")
                ui.button("Tutup", on_click=dialog.close)
            dialog.open()
            await tokens.reload()

        ui.button("Buat token", on_click=new_token)


def users_ui(admin: SignedIn, view: UsersView) -> None:
    reload = admins_table(admin, view.admins)
    add_admin_form(admin, reload)
    ui.label("Token API (Authorization: Bearer …) milik Anda").classes("text-lg font-bold mt-4")
    new_token_form(admin, TokenList(admin, view.tokens))
