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
from pages.admin.words import state_word, yes_no_columns

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
PRICE_HINT = "Harga tidak terbaca: tulis 75000, 75.000 atau Rp 75.000 (rupiah utuh, tanpa sen)"
DAYS_HINT = f"Durasi harus bilangan bulat dari 1 sampai {MAX_DURATION_DAYS} hari"
ORDER_HINT = f"Urutan harus bilangan bulat dari -{MAX_SORT_ORDER} sampai {MAX_SORT_ORDER}"


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
        ui.label("Ubah paket" if existing else "Tambah paket").classes("text-lg font-bold")
        slug = ui.input("Slug (untuk URL)", value=data.slug).classes("w-full").mark("product-slug")
        name = ui.input("Nama", value=data.name).classes("w-full").mark("product-name")
        description = ui.input("Deskripsi", value=data.description).classes("w-full")
        price = number_field(
            "Harga (Rp)", format_idr(data.price_idr).removeprefix("Rp "), parse_rupiah, PRICE_HINT, "product-price"
        )
        price_shown = ui.label("").classes("text-sm font-semibold").mark("price-parsed")
        days = number_field(
            "Durasi (hari)",
            str(data.duration_days),
            lambda text: parse_whole_number(text, "duration_days", minimum=1, maximum=MAX_DURATION_DAYS),
            DAYS_HINT,
            "product-days",
        )
        pool = ui.input("Pool", value=data.pool).classes("w-full")
        order = number_field(
            "Urutan",
            str(data.sort_order),
            lambda text: parse_whole_number(text, "sort_order", minimum=-MAX_SORT_ORDER, maximum=MAX_SORT_ORDER),
            ORDER_HINT,
            "product-order",
        )
        warranty = (
            ui.input(
                "Garansi akun (hari)",
                value="" if data.warranty_days is None else str(data.warranty_days),
                placeholder="kosong = seluruh masa aktif",
            )
            .classes("w-full")
            .mark("product-warranty")
        )
        ui.label(
            "Bila akun pelanggan mati (diblokir, langganan habis) dalam masa garansi, pelanggan dipindahkan otomatis "
            "ke akun lain dengan tanggal berakhir yang sama."
        ).classes("text-xs text-gray-700")
        ui.label("Bila pool tidak punya kursi kosong:").classes("text-sm font-medium")
        sold_out = (
            ui.radio(SOLD_OUT_CHOICES, value=data.sold_out_mode or SoldOutMode.QUEUE.value)
            .props("dense")
            .classes("w-full")
            .mark("product-sold-out")
        )
        active = ui.switch("Dijual", value=data.is_active)
        popular = ui.switch("Tandai populer", value=data.is_popular)

        def show_price() -> None:
            """The amount as it will be saved, before saving (75.000 is seventy-five thousand)."""
            try:
                price_shown.text = f"Disimpan sebagai {format_idr(price.read())}"
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
            if await act(product_saver(admin, existing.id if existing else None, fields, lowest), "Paket disimpan"):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save).mark("product-save")
    dialog.open()


def packages_ui(admin: SignedIn, view: PackagesView) -> None:
    table = (
        ui.table(columns=PRODUCT_COLUMNS, rows=table_rows(view.products), row_key="id")
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
            role=state_word("role", a.role),
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
    Cards(table).actions(USER_BUTTONS)

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
