"""The accounts table's selection and what can be done to it at once: suspend, unsuspend, retire, move to another
pool, export as CSV (no password, no token). Each selected account's outcome is shown after the run."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import events, ui
from sqlmodel import Session

from domain.catalog.pool_bulk import BulkAction, BulkReport, Skip, bulk_change, export_accounts_csv
from infra.types import utcnow
from pages.admin.frame import Refused, SignedIn, attempt, client_ip
from pages.admin.table import ServerTable
from pages.admin.words import admin_lang, say

SKIP_WORDS: dict[str, str] = {
    Skip.UNKNOWN: "akun tidak ditemukan (mungkin sudah dihapus)",
    Skip.RETIRED: "sudah dipensiunkan; tidak bisa diubah lagi",
    Skip.ALREADY_SUSPENDED: "sudah ditangguhkan",
    Skip.NOT_SUSPENDED: "tidak sedang ditangguhkan",
    Skip.HAS_SEATS: "masih ada pelanggan aktif; pindahkan atau cabut kursinya dulu",
    Skip.SAME_POOL: "sudah di pool itu",
    Skip.CHANGED: "statusnya berubah saat diproses; coba lagi",
}
SKIP_WORDS_EN: dict[str, str] = {
    Skip.UNKNOWN: "account not found (perhaps deleted)",
    Skip.RETIRED: "already retired; it cannot change any more",
    Skip.ALREADY_SUSPENDED: "already suspended",
    Skip.NOT_SUSPENDED: "not suspended",
    Skip.HAS_SEATS: "still has active customers; move or revoke their seats first",
    Skip.SAME_POOL: "already in that pool",
    Skip.CHANGED: "its status changed while it was processed; try again",
}


@dataclass(frozen=True)
class BulkStep:
    """One bulk button: its words, and what its confirmation asks for."""

    action: BulkAction
    label: str
    question: str
    done: str  # the outcome's headline, "N akun …"
    asks_reason: bool = False
    asks_pool: bool = False
    english: tuple[str, str, str] = ("", "", "")  # label, question, done in English

    def words(self) -> tuple[str, str, str]:
        """Label, question and headline in the admin's language."""
        return self.english if admin_lang() == "en" and self.english[0] else (self.label, self.question, self.done)


STEPS = (
    BulkStep(
        BulkAction.SUSPEND,
        "Tangguhkan",
        "Tangguhkan {n} akun? Pelanggan yang ada tetap memakainya sampai dipindah.",
        "ditangguhkan",
        asks_reason=True,
        english=("Suspend", "Suspend {n} accounts? Their customers keep using them until moved.", "suspended"),
    ),
    BulkStep(
        BulkAction.UNSUSPEND,
        "Aktifkan lagi",
        "Aktifkan lagi {n} akun?",
        "aktif lagi",
        english=("Reactivate", "Reactivate {n} accounts?", "active again"),
    ),
    BulkStep(
        BulkAction.RETIRE,
        "Pensiunkan",
        "Pensiunkan {n} akun untuk selamanya? Akun yang masih punya pelanggan aktif dilewati.",
        "dipensiunkan",
        asks_reason=True,
        english=("Retire", "Retire {n} accounts for good? Accounts with active customers are skipped.", "retired"),
    ),
    BulkStep(
        BulkAction.MOVE_POOL,
        "Pindah pool",
        "Pindahkan {n} akun ke pool lain? Akun yang masih punya pelanggan aktif dilewati.",
        "dipindah",
        asks_pool=True,
        english=(
            "Move pool",
            "Move {n} accounts to another pool? Accounts with active customers are skipped.",
            "moved",
        ),
    ),
)


class OutcomeDialog:
    """What happened to each selected account: how many took the change, and why each other one did not. One
    dialog per page, filled again for each run (so a page holds one of its buttons, not one per run)."""

    def __init__(self) -> None:
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg"):
            self.summary = ui.label("").classes("text-lg font-bold").mark("bulk-summary")
            self.lines = ui.column().classes("w-full gap-1")
            with ui.row().classes("w-full justify-end"):
                ui.button(say("Tutup", "Close"), on_click=self.dialog.close).classes("min-h-[44px]").mark("bulk-close")

    def show(self, step: BulkStep, report: BulkReport) -> None:
        done = step.words()[2]
        self.summary.text = say(
            f"{len(report.done)} akun {done} · {len(report.skipped)} dilewati",
            f"{len(report.done)} accounts {done} · {len(report.skipped)} skipped",
        )
        self.lines.clear()
        with self.lines:
            for outcome in report.skipped:
                name = outcome.email or say("akun", "account") + f" #{outcome.account_id}"
                skip = outcome.skipped or ""
                words = say(SKIP_WORDS.get(skip, "dilewati"), SKIP_WORDS_EN.get(skip, "skipped"))
                ui.label(f"{name} — {words}").classes("text-sm text-red-800 break-words").mark("bulk-skipped")
        self.dialog.open()


class BulkBar:
    """The bar above the accounts table: how many are selected, and the buttons that act on them."""

    def __init__(self, admin: SignedIn, table: ServerTable) -> None:
        self.admin, self.table, self.ip = admin, table, client_ip()
        with ui.row().classes("w-full items-center gap-2 flex-wrap").mark("bulk-bar"):
            self.count = ui.label("").classes("text-sm font-semibold").mark("bulk-count")
            self.buttons = [
                ui.button(step.words()[0], on_click=lambda _, s=step: self.confirm(s))
                .props("outline no-caps")
                .classes("min-h-[44px]")
                .mark(f"bulk-{step.action.value}")
                for step in STEPS
            ]
            self.buttons.append(
                ui.button(say("Ekspor CSV", "Export CSV"), icon="download", on_click=self.export)
                .props("outline no-caps")
                .classes("min-h-[44px]")
                .mark("bulk-export")
            )
            self.buttons.append(
                ui.button(say("Batal pilih", "Clear selection"), on_click=self.clear)
                .props("flat no-caps")
                .classes("min-h-[44px]")
                .mark("bulk-clear")
            )
            self.step = STEPS[0]
            with ui.dialog() as self.asking, ui.card().classes("w-full max-w-lg"):
                self.question = ui.label("").mark("bulk-question")
                self.reason = (
                    ui.input(say("Alasan (opsional)", "Reason (optional)")).classes("w-full").mark("bulk-reason")
                )
                self.pool = ui.input(say("Pool tujuan", "Target pool")).classes("w-full").mark("bulk-pool")
                with ui.row().classes("w-full justify-end"):
                    ui.button(say("Batal", "Cancel"), on_click=self.asking.close).props("flat").classes("min-h-[44px]")
                    ui.button(say("Ya", "Yes"), on_click=self.carry_out).classes("min-h-[44px]").mark("bulk-yes")
            self.outcome = OutcomeDialog()
        table.table.on_select(self.changed)
        self.show()

    def ids(self) -> list[int]:
        return [int(key) for key in self.table.selected_keys()]

    def show(self) -> None:
        n = len(self.ids())
        if n:
            self.count.text = say(f"{n} akun dipilih", f"{n} accounts selected")
        else:
            self.count.text = say("Centang akun untuk tindakan sekaligus", "Tick accounts to act on them at once")
        for button in self.buttons:
            button.set_enabled(bool(n))

    def changed(self, _event: events.TableSelectionEventArguments) -> None:
        self.show()

    def clear(self) -> None:
        self.table.clear_selection()
        self.show()

    def confirm(self, step: BulkStep) -> None:
        self.step = step
        self.question.text = step.words()[1].format(n=len(self.ids()))
        self.reason.set_value("")
        self.pool.set_value("")
        self.reason.set_visibility(step.asks_reason)
        self.pool.set_visibility(step.asks_pool)
        self.asking.open()

    async def carry_out(self) -> None:
        """The confirmed step on the selection; a refusal (a bad pool name, say) is said and the dialog stays."""
        step, ids = self.step, self.ids()

        def work(s: Session) -> BulkReport:
            return bulk_change(
                session=s,
                actor=self.admin.actor,
                action=step.action,
                ids=ids,
                reason=self.reason.value or "",
                pool=self.pool.value or "",
                ip=self.ip,
            )

        report = await attempt(work)
        if isinstance(report, Refused):
            return
        self.asking.close()
        self.clear()
        self.outcome.show(step, report)
        await self.table.refresh()

    async def export(self) -> None:
        ids = self.ids()

        def work(s: Session) -> str:
            return export_accounts_csv(session=s, actor=self.admin.actor, ids=ids, ip=self.ip)

        text = await attempt(work)
        if isinstance(text, Refused):
            return
        name = f"akun-aksesgpt-{utcnow():%Y%m%d-%H%M}.csv"
        ui.download.content(text.encode("utf-8-sig"), name, "text/csv")  # with a BOM: Excel reads it as UTF-8
        ui.notify(
            say(
                f"{len(ids)} akun diekspor (tanpa kata sandi dan token)",
                f"{len(ids)} accounts exported (no passwords or tokens)",
            ),
            type="positive",
        )
