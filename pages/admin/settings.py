"""Packages (prices, durations, active, popular, order) and admin users (owners add, disable, reset)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import app, ui
from sqlmodel import Session

from domain.admin.admins import add_admin, list_admins, reset_admin_password, set_admin_active
from domain.admin.api_tokens import issue_token, revoke_token, tokens_of
from domain.catalog.products import (
    MAX_DURATION_DAYS,
    MAX_SORT_ORDER,
    create_product,
    list_products,
    update_product,
)
from domain.catalog.waitlist import waiting_counts
from domain.payments.checkout import lowest_channel_minimum
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import format_idr
from domain.shared.models import AdminApiToken, AdminUser, Product, SoldOutMode
from domain.shared.validation import parse_rupiah, parse_whole_number
from infra import db
from pages.admin.error_words import error_text
from pages.admin.frame import Done, Refused, SignedIn, act, attempt, fetch
from pages.admin.table import Cards, RowAction, column, row_of, stored_id, table_rows, wib
from pages.admin.words import admin_lang, column_words, say, state_word, yes_no_columns

EDIT_BUTTON = [RowAction("edit", "Ubah")]
USER_BUTTONS = [
    RowAction("toggle", "Nonaktifkan", "props.row.is_active"),
    RowAction("toggle", "Aktifkan", "!props.row.is_active"),
    RowAction("reset", "Reset sandi"),
]


def columns(*labels: tuple[str, str]) -> list[dict[str, Any]]:
    """Left-aligned text columns, then the row's buttons."""
    return [{"name": k, "label": label, "field": k, "align": "left"} for k, label in labels] + [
        column("actions", "", "id", align=None)
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
    warranty_days: int | None = None
    sold_out_mode: str = SoldOutMode.QUEUE
    waitlist: int = 0  # contacts waiting to hear the package is back (its "Habis — kabari saya" list)

    @classmethod
    def of(cls, p: Product, waitlist: int = 0) -> ProductRow:
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
            warranty_days=p.warranty_days,
            sold_out_mode=str(p.sold_out_mode),
            waitlist=waitlist,
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
    ("waitlist", "Menunggu kabar"),
)
PRODUCT_COLUMNS = yes_no_columns(PRODUCT_COLUMNS, "is_active", "is_popular")  # "Ya"/"Tidak", never true/false


@dataclass(frozen=True)
class PackagesView:
    products: list[ProductRow]


def products() -> list[ProductRow]:
    with db.read_session() as session:
        waiting = waiting_counts(session=session)
        return [ProductRow.of(p, waiting.get(p.id or 0, 0)) for p in list_products(session=session, active_only=False)]


def load_packages() -> PackagesView:
    return PackagesView(products())


def product_saver(
    admin: SignedIn, product_id: int | None, fields: dict[str, Any], lowest_price_idr: int | None
) -> Callable[[Session], object]:
    if product_id is not None:
        return lambda s: update_product(
            session=s, actor=admin.actor, product_id=product_id, lowest_price_idr=lowest_price_idr, **fields
        )
    return lambda s: create_product(session=s, actor=admin.actor, lowest_price_idr=lowest_price_idr, **fields)


def lowest_price() -> int | None:
    """The least the enabled payment channels accept (None when a gateway does not answer: not checked)."""
    return lowest_channel_minimum(app.state.gateways.chain)


SOLD_OUT_CHOICES = {
    SoldOutMode.QUEUE.value: "Tetap jual: pesanan menunggu kursi dan dilayani otomatis",
    SoldOutMode.STOP.value: "Berhenti jual: paket tampil Habis sampai ada kursi",
}
SOLD_OUT_CHOICES_EN = {
    SoldOutMode.QUEUE.value: "Keep selling: orders wait for a seat and are served automatically",
    SoldOutMode.STOP.value: "Stop selling: the package shows Sold out until a seat is free",
}
PRICE_HINT = "Harga tidak terbaca: tulis 75000, 75.000 atau Rp 75.000 (rupiah utuh, tanpa sen)"
DAYS_HINT = f"Durasi harus bilangan bulat dari 1 sampai {MAX_DURATION_DAYS} hari"
ORDER_HINT = f"Urutan harus bilangan bulat dari -{MAX_SORT_ORDER} sampai {MAX_SORT_ORDER}"
PRICE_HINT_EN = "The price cannot be read: write 75000, 75.000 or Rp 75.000 (whole rupiah, no cents)"
DAYS_HINT_EN = f"The duration must be a whole number from 1 to {MAX_DURATION_DAYS} days"
ORDER_HINT_EN = f"The sort order must be a whole number from -{MAX_SORT_ORDER} to {MAX_SORT_ORDER}"


def sold_out_choices() -> dict[str, str]:
    return SOLD_OUT_CHOICES_EN if admin_lang() == "en" else SOLD_OUT_CHOICES


@dataclass(frozen=True)
class NumberField:
    """A number typed as text, read by a domain parser that refuses (never clamps, rounds or truncates)."""

    box: ui.input
    parse: Callable[[str], int]
    hint: str  # what the admin sees when the text cannot be read

    def read(self) -> int:
        """The number, or ValidationFailed carrying the hint."""
        try:
            return self.parse(self.box.value or "")
        except ValidationFailed:
            raise ValidationFailed(self.hint, said=True) from None


def number_field(label: str, value: str, parse: Callable[[str], int], hint: str, mark: str) -> NumberField:
    box = ui.input(label, value=value).classes("w-full").mark(mark)
    return NumberField(box, parse, hint)


def product_dialog(admin: SignedIn, done: Done, existing: ProductRow | None = None) -> None:
    data = existing or NEW_PRODUCT
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        title = say("Ubah paket", "Edit package") if existing else say("Tambah paket", "Add package")
        ui.label(title).classes("text-lg font-bold")
        slug = ui.input(say("Slug (untuk URL)", "Slug (for the URL)"), value=data.slug).classes("w-full")
        slug.mark("product-slug")
        name = ui.input(say("Nama", "Name"), value=data.name).classes("w-full").mark("product-name")
        description = ui.input(say("Deskripsi", "Description"), value=data.description).classes("w-full")
        price = number_field(
            say("Harga (Rp)", "Price (Rp)"),
            format_idr(data.price_idr).removeprefix("Rp "),
            parse_rupiah,
            say(PRICE_HINT, PRICE_HINT_EN),
            "product-price",
        )
        price_shown = ui.label("").classes("text-sm font-semibold").mark("price-parsed")
        days = number_field(
            say("Durasi (hari)", "Duration (days)"),
            str(data.duration_days),
            lambda text: parse_whole_number(text, "duration_days", minimum=1, maximum=MAX_DURATION_DAYS),
            say(DAYS_HINT, DAYS_HINT_EN),
            "product-days",
        )
        pool = ui.input("Pool", value=data.pool).classes("w-full")
        order = number_field(
            say("Urutan", "Sort order"),
            str(data.sort_order),
            lambda text: parse_whole_number(text, "sort_order", minimum=-MAX_SORT_ORDER, maximum=MAX_SORT_ORDER),
            say(ORDER_HINT, ORDER_HINT_EN),
            "product-order",
        )
        warranty = (
            ui.input(
                say("Garansi akun (hari)", "Account warranty (days)"),
                value="" if data.warranty_days is None else str(data.warranty_days),
                placeholder=say("kosong = seluruh masa aktif", "empty = the whole period"),
            )
            .classes("w-full")
            .mark("product-warranty")
        )
        ui.label(
            say(
                "Bila akun pelanggan mati (diblokir, langganan habis) dalam masa garansi, pelanggan dipindahkan "
                "otomatis ke akun lain dengan tanggal berakhir yang sama.",
                "When a customer's account dies (banned, subscription ended) within the warranty, the customer is "
                "moved automatically to another account with the same end date.",
            )
        ).classes("text-xs text-gray-700")
        ui.label(say("Bila pool tidak punya kursi kosong:", "When the pool has no free seat:")).classes(
            "text-sm font-medium"
        )
        sold_out = (
            ui.radio(sold_out_choices(), value=data.sold_out_mode or SoldOutMode.QUEUE.value)
            .props("dense")
            .classes("w-full")
            .mark("product-sold-out")
        )
        active = ui.switch(say("Dijual", "On sale"), value=data.is_active)
        popular = ui.switch(say("Tandai populer", "Mark as popular"), value=data.is_popular)

        def show_price() -> None:
            """The amount as it will be saved, before saving (75.000 is seventy-five thousand)."""
            try:
                price_shown.text = say("Disimpan sebagai ", "Saved as ") + format_idr(price.read())
            except ValidationFailed as exc:
                price_shown.text = error_text(exc)

        price.box.on_value_change(show_price)
        show_price()

        async def save() -> None:
            try:
                numbers: dict[str, int | None] = {
                    "price_idr": price.read(),
                    "duration_days": days.read(),
                    "sort_order": order.read(),
                }
                text = (warranty.value or "").strip()
                numbers["warranty_days"] = (
                    parse_whole_number(text, "warranty_days", minimum=0, maximum=MAX_DURATION_DAYS) if text else None
                )
            except ValidationFailed as exc:
                ui.notify(error_text(exc), type="negative")
                return
            fields = numbers | {
                "slug": (slug.value or "").strip(),
                "name": name.value or "",
                "description": description.value or "",
                "pool": pool.value or "default",
                "is_active": active.value,
                "is_popular": popular.value,
                "sold_out_mode": sold_out.value or SoldOutMode.QUEUE.value,
            }
            lowest = await fetch(lowest_price)
            if isinstance(lowest, Refused):
                return
            if await act(
                product_saver(admin, existing.id if existing else None, fields, lowest),
                say("Paket disimpan", "Package saved"),
            ):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Simpan", "Save"), on_click=save).mark("product-save")
    dialog.open()


def packages_ui(admin: SignedIn, view: PackagesView) -> None:
    table = (
        ui.table(columns=column_words(PRODUCT_COLUMNS), rows=table_rows(view.products), row_key="id")
        .classes("w-full")
        .props("flat bordered dense")
        .mark("packages-table")
    )
    Cards(table).actions(EDIT_BUTTON)

    async def reload() -> None:
        rows = await fetch(products)
        if not isinstance(rows, Refused):
            table.rows = table_rows(rows)
            table.update()

    table.on("edit", lambda e: product_dialog(admin, reload, row_of(ProductRow, e.args)))
    ui.button(say("Tambah paket", "Add package"), icon="add", on_click=lambda: product_dialog(admin, reload)).mark(
        "product-new"
    )


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
            role=state_word("role", a.role),
            active=say("ya", "yes") if a.is_active else say("tidak", "no"),
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
        ui.label(say(f"Kata sandi baru untuk {row.email}", f"New password for {row.email}"))
        password = ui.input(say("Kata sandi (min. 10 karakter)", "Password (min. 10 characters)"), password=True)
        password.classes("w-full")

        async def save() -> None:
            if await act(
                lambda s: reset_admin_password(
                    session=s, actor_id=admin.id, admin_id=row.id, password=password.value or ""
                ),
                say("Diganti", "Changed"),
                owner_only=True,
            ):
                dialog.close()

        ui.button(say("Simpan", "Save"), on_click=save)
    dialog.open()


def admins_table(admin: SignedIn, rows: list[AdminRow]) -> Done:
    """The admins with their enable and reset buttons; returns what reads them again."""
    table = (
        ui.table(columns=column_words(ADMIN_COLUMNS), rows=table_rows(rows), row_key="id")
        .classes("w-full")
        .props("flat bordered dense")
        .mark("users-table")
    )
    Cards(table).actions(USER_BUTTONS)

    async def reload() -> None:
        rows = await fetch(admin_rows)
        if not isinstance(rows, Refused):
            table.rows = table_rows(rows)
            table.update()

    async def toggle(row: AdminRow) -> None:
        if await act(
            lambda s: set_admin_active(session=s, actor_id=admin.id, admin_id=row.id, active=not row.is_active),
            say("Disimpan", "Saved"),
            owner_only=True,
        ):
            await reload()

    table.on("toggle", lambda e: toggle(row_of(AdminRow, e.args)))
    table.on("reset", lambda e: reset_dialog(admin, row_of(AdminRow, e.args)))
    return reload


def add_admin_form(admin: SignedIn, reload: Done) -> None:
    ui.label(say("Tambah admin", "Add an admin")).classes("text-lg font-bold mt-4")
    with ui.row().classes("items-end gap-3"):
        email = ui.input("E-mail").props("dense outlined")
        password = ui.input(say("Kata sandi (min. 10)", "Password (min. 10)"), password=True).props("dense outlined")
        roles = {"staff": say("Staf", "Staff"), "owner": say("Pemilik", "Owner")}
        role = ui.select(roles, value="staff", label=say("Peran", "Role")).props("dense outlined").classes("w-32")

        async def create() -> None:
            if await act(
                lambda s: add_admin(
                    session=s,
                    actor_id=admin.id,
                    email=email.value or "",
                    password=password.value or "",
                    role=role.value,
                ),
                say("Admin dibuat", "Admin created"),
                owner_only=True,
            ):
                email.value = password.value = ""
                await reload()

        ui.button(say("Tambah", "Add"), on_click=create)


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
                    if token.revoked:
                        state = say(f"dicabut {token.revoked}", f"revoked {token.revoked}")
                    else:
                        state = say(f"terakhir dipakai {token.used or '-'}", f"last used {token.used or '-'}")
                    made = say(f"dibuat {token.created}", f"created {token.created}")
                    ui.label(f"{token.name} · {made} · {state}").classes("text-sm")
                    if not token.revoked:
                        ui.button(say("Cabut", "Revoke"), on_click=lambda t=token: self.revoke(t)).props(
                            "flat dense no-caps size=sm color=negative"
                        )

    async def reload(self) -> None:
        tokens = await fetch(token_rows, self.admin.id)
        if not isinstance(tokens, Refused):
            self.show(tokens)

    async def revoke(self, token: TokenRow) -> None:
        actor = self.admin.actor
        if await act(
            lambda s: revoke_token(session=s, token_id=token.id, actor=actor), say("Token dicabut", "Token revoked")
        ):
            await self.reload()


def new_token_form(admin: SignedIn, tokens: TokenList) -> None:
    with ui.row().classes("items-end gap-3"):
        token_name = ui.input(say("Nama token (dipakai untuk apa)", "Token name (what it is for)"))
        token_name.props("dense outlined")

        async def new_token() -> None:
            def work(s: Session) -> str:
                return issue_token(session=s, admin_id=admin.id, name=token_name.value or "", actor=admin.actor)

            value = await attempt(work)
            if isinstance(value, Refused):
                return
            with ui.dialog() as dialog, ui.card():
                ui.label(
                    say(
                        "Salin token ini sekarang; token tidak akan ditampilkan lagi.",
                        "Copy this token now; it will not be shown again.",
                    )
                )
                ui.label(value).classes("font-mono break-all").mark("new-token")
                ui.button(say("Tutup", "Close"), on_click=dialog.close)
            dialog.open()
            await tokens.reload()

        ui.button(say("Buat token", "Create token"), on_click=new_token)


def users_ui(admin: SignedIn, view: UsersView) -> None:
    reload = admins_table(admin, view.admins)
    add_admin_form(admin, reload)
    ui.label(
        say("Token API (Authorization: Bearer …) milik Anda", "Your API tokens (Authorization: Bearer …)")
    ).classes("text-lg font-bold mt-4")
    new_token_form(admin, TokenList(admin, view.tokens))
