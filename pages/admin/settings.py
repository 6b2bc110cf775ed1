"""Packages (prices, durations, active, popular, order) and admin users (owners add, disable, reset)."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from domain.admin.admins import add_admin, list_admins, reset_admin_password, set_admin_active
from domain.admin.api_tokens import issue_token, revoke_token, tokens_of
from domain.catalog.products import create_product, list_products, update_product
from domain.shared.errors import DomainError
from domain.shared.i18n import format_idr
from infra import db
from pages.admin.frame import SignedIn, act, admin_frame
from pages.admin.table import wib


def products() -> list[dict[str, Any]]:
    with db.read_session() as session:
        return [
            {
                "id": p.id,
                "slug": p.slug,
                "name": p.name,
                "description": p.description,
                "price_idr": p.price_idr,
                "price": format_idr(p.price_idr),
                "duration_days": p.duration_days,
                "pool": p.pool,
                "is_active": p.is_active,
                "is_popular": p.is_popular,
                "sort_order": p.sort_order,
            }
            for p in list_products(session=session, active_only=False)
        ]


def product_dialog(admin: SignedIn, done, existing: dict[str, Any] | None = None) -> None:
    data = existing or {
        "slug": "",
        "name": "",
        "description": "",
        "price_idr": 79000,
        "duration_days": 30,
        "pool": "default",
        "is_active": True,
        "is_popular": False,
        "sort_order": 0,
    }
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label("Ubah paket" if existing else "Tambah paket").classes("text-lg font-bold")
        slug = ui.input("Slug (untuk URL)", value=data["slug"]).classes("w-full")
        name = ui.input("Nama", value=data["name"]).classes("w-full")
        description = ui.input("Deskripsi", value=data["description"]).classes("w-full")
        price = ui.number("Harga (Rp)", value=data["price_idr"], min=1, precision=0).classes("w-full")
        days = ui.number("Durasi (hari)", value=data["duration_days"], min=1, precision=0).classes("w-full")
        pool = ui.input("Pool", value=data["pool"]).classes("w-full")
        order = ui.number("Urutan", value=data["sort_order"], precision=0).classes("w-full")
        active = ui.switch("Dijual", value=data["is_active"])
        popular = ui.switch("Tandai populer", value=data["is_popular"])

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
            if existing:
                work = lambda s: update_product(session=s, actor=admin.actor, product_id=existing["id"], **fields)  # noqa: E731
            else:
                work = lambda s: create_product(session=s, actor=admin.actor, **fields)  # noqa: E731
            if await act(work, "Paket disimpan"):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save)
    dialog.open()


def register() -> None:
    @ui.page("/admin/packages", title="Paket — AksesGPT admin")
    async def packages() -> None:
        async with admin_frame("Paket") as admin:
            if admin is None:
                return
            columns = [
                {"name": k, "label": label, "field": k, "align": "left"}
                for k, label in (
                    ("slug", "Slug"),
                    ("name", "Nama"),
                    ("price", "Harga"),
                    ("duration_days", "Hari"),
                    ("pool", "Pool"),
                    ("is_active", "Dijual"),
                    ("is_popular", "Populer"),
                    ("sort_order", "Urutan"),
                )
            ]
            columns.append({"name": "actions", "label": "", "field": "id"})
            table = (
                ui.table(columns=columns, rows=await run.io_bound(products), row_key="id")
                .classes("w-full")
                .props("flat bordered dense")
                .mark("packages-table")
            )
            table.add_slot(
                "body-cell-actions",
                '<q-td :props="props"><q-btn flat dense round size="sm" icon="edit" '
                "@click=\"$parent.$emit('edit', props.row)\"/></q-td>",
            )

            async def reload() -> None:
                table.rows = await run.io_bound(products)
                table.update()

            table.on("edit", lambda e: product_dialog(admin, reload, e.args))
            ui.button("Tambah paket", icon="add", on_click=lambda: product_dialog(admin, reload))

    @ui.page("/admin/users", title="Admin — AksesGPT admin")
    async def users() -> None:
        async with admin_frame("Admin") as admin:
            if admin is None:
                return

            def rows() -> list[dict[str, Any]]:
                with db.read_session() as session:
                    return [
                        {
                            "id": a.id,
                            "email": a.email,
                            "role": a.role,
                            "active": "ya" if a.is_active else "tidak",
                            "is_active": a.is_active,
                            "last_login": wib(a.last_login_at),
                            "locked": wib(a.locked_until),
                        }
                        for a in list_admins(session=session)
                    ]

            columns = [
                {"name": k, "label": label, "field": k, "align": "left"}
                for k, label in (
                    ("email", "E-mail"),
                    ("role", "Peran"),
                    ("active", "Aktif"),
                    ("last_login", "Login terakhir"),
                    ("locked", "Terkunci sampai"),
                )
            ]
            columns.append({"name": "actions", "label": "", "field": "id"})
            table = (
                ui.table(columns=columns, rows=await run.io_bound(rows), row_key="id")
                .classes("w-full")
                .props("flat bordered dense")
                .mark("users-table")
            )
            table.add_slot(
                "body-cell-actions",
                (
                    '<q-td :props="props"><q-btn flat dense no-caps size="sm" '
                    ":label=\"props.row.is_active ? 'Nonaktifkan' : 'Aktifkan'\" "
                    "@click=\"$parent.$emit('toggle', props.row)\"/>"
                    '<q-btn flat dense no-caps size="sm" label="Reset sandi" '
                    "@click=\"$parent.$emit('reset', props.row)\"/></q-td>"
                ),
            )

            async def reload() -> None:
                table.rows = await run.io_bound(rows)
                table.update()

            async def toggle(row: dict[str, Any]) -> None:
                if await act(
                    lambda s: set_admin_active(
                        session=s, actor_id=admin.id, admin_id=row["id"], active=not row["is_active"]
                    ),
                    "Disimpan",
                ):
                    await reload()

            def reset(row: dict[str, Any]) -> None:
                with ui.dialog() as dialog, ui.card():
                    ui.label(f"Kata sandi baru untuk {row['email']}")
                    password = ui.input("Kata sandi (min. 10 karakter)", password=True).classes("w-full")

                    async def save() -> None:
                        if await act(
                            lambda s: reset_admin_password(
                                session=s, actor_id=admin.id, admin_id=row["id"], password=password.value or ""
                            ),
                            "Diganti",
                        ):
                            dialog.close()

                    ui.button("Simpan", on_click=save)
                dialog.open()

            table.on("toggle", lambda e: toggle(e.args))
            table.on("reset", lambda e: reset(e.args))
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
                    ):
                        email.value = password.value = ""
                        await reload()

                ui.button("Tambah", on_click=create)

            ui.label("Token API (Authorization: Bearer …) milik Anda").classes("text-lg font-bold mt-4")
            tokens_box = ui.column().classes("w-full gap-1")

            def my_tokens() -> list[dict[str, Any]]:
                with db.read_session() as session:
                    return [
                        {
                            "id": t.id,
                            "name": t.name,
                            "created": wib(t.created_at),
                            "used": wib(t.last_used_at),
                            "revoked": wib(t.revoked_at),
                        }
                        for t in tokens_of(session=session, admin_id=admin.id)
                    ]

            async def draw_tokens() -> None:
                tokens_box.clear()
                with tokens_box:
                    for token in await run.io_bound(my_tokens):
                        with ui.row().classes("items-center gap-3"):
                            state = (
                                f"dicabut {token['revoked']}"
                                if token["revoked"]
                                else (f"terakhir dipakai {token['used'] or '-'}")
                            )
                            ui.label(f"{token['name']} · dibuat {token['created']} · {state}").classes("text-sm")
                            if not token["revoked"]:
                                ui.button("Cabut", on_click=lambda t=token: revoke(t["id"])).props(
                                    "flat dense no-caps size=sm color=negative"
                                )

            async def revoke(token_id: int) -> None:
                if await act(lambda s: revoke_token(session=s, token_id=token_id, actor=admin.actor), "Token dicabut"):
                    await draw_tokens()

            with ui.row().classes("items-end gap-3"):
                token_name = ui.input("Nama token (dipakai untuk apa)").props("dense outlined")

                async def new_token() -> None:
                    try:
                        value = await run.io_bound(
                            lambda: db.in_transaction(
                                lambda s: issue_token(
                                    session=s, admin_id=admin.id, name=token_name.value or "", actor=admin.actor
                                )
                            )
                        )
                    except DomainError as exc:
                        ui.notify(exc.message, type="negative")
                        return
                    with ui.dialog() as dialog, ui.card():
                        ui.label("Salin token ini sekarang; token tidak akan ditampilkan lagi.")
                        ui.label(value).classes("font-mono break-all").mark("new-token")
                        ui.button("Tutup", on_click=dialog.close)
                    dialog.open()
                    await draw_tokens()

                ui.button("Buat token", on_click=new_token)
            await draw_tokens()
