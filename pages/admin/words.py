"""The admin's words for the codes: every state of domain/shared/models.py in Indonesian and English with the colour
of its chip, the workspace's calls and the background jobs. The pages show these, never the codes. Times, the
audit's actions and the language live beside it (dates, audit_words, lang) and are named here too."""

from __future__ import annotations

from nicegui import ui

from domain.shared.models import (
    AccountStatus,
    AssignmentStatus,
    Delivery,
    Driver,
    EventOutcome,
    Health,
    InviteState,
    MailStatus,
    OrderStatus,
    SoldOutMode,
    TaskKind,
    TaskStatus,
)
from pages.admin.audit_words import ACTION_WORDS as ACTION_WORDS
from pages.admin.audit_words import ENTITY_WORDS as ENTITY_WORDS
from pages.admin.audit_words import action_word as action_word
from pages.admin.audit_words import actor_word as actor_word
from pages.admin.audit_words import entity_word as entity_word
from pages.admin.dates import DATE_MASK as DATE_MASK
from pages.admin.dates import SHORT_MONTHS as SHORT_MONTHS
from pages.admin.dates import ago as ago
from pages.admin.dates import date_locale as date_locale
from pages.admin.dates import day_picker as day_picker
from pages.admin.dates import day_words as day_words
from pages.admin.dates import parse_day as parse_day
from pages.admin.dates import when as when
from pages.admin.dates import wib_time as wib_time
from pages.admin.lang import action_label as action_label
from pages.admin.lang import admin_lang as admin_lang
from pages.admin.lang import column_words as column_words
from pages.admin.lang import language_switch as language_switch
from pages.admin.lang import nav_word as nav_word
from pages.admin.lang import say
from pages.admin.lang import set_admin_lang as set_admin_lang
from pages.admin.lang import title_word as title_word

# Quasar colours of the health chip (text stays readable: white on the dark ones, dark on amber)
HEALTH_COLOURS: dict[str, str] = {
    Health.OK: "green-9",
    Health.TOKEN_EXPIRED: "amber-4",
    Health.FULL: "amber-4",
    Health.RESTRICTED: "deep-orange-10",
    Health.BANNED: "red-9",
    Health.SUBSCRIPTION_ENDED: "red-9",
    Health.UNREACHABLE: "grey-8",
}
DARK_TEXT = {Health.TOKEN_EXPIRED, Health.FULL}
# what each health means for the owner, in a sentence (the detail page and the list's problem column)
HEALTH_MEANING: dict[str, str] = {
    Health.OK: "",
    Health.TOKEN_EXPIRED: "ChatGPT menolak token akses. Tempel token baru di form akun.",
    Health.FULL: "Workspace tidak punya kursi kosong; toko tidak menjual kursi di sini.",
    Health.RESTRICTED: "Undangan dijawab berhasil tetapi tidak pernah sampai. Penjualan dihentikan.",
    Health.BANNED: "Workspace diblokir atau dinonaktifkan. Penjualan dihentikan.",
    Health.SUBSCRIPTION_ENDED: "Langganan workspace berakhir. Penjualan dihentikan.",
    Health.UNREACHABLE: "ChatGPT tidak bisa dihubungi berkali-kali. Penjualan dihentikan sampai pulih.",
}

TASK_REASONS = {
    "sale": "penjualan",
    "move": "pindah akun",
    "missing from the workspace": "hilang dari workspace, diundang lagi",
    "stranger": "anggota tak dikenal",
    "account automated": "akun dijadikan otomatis",
    "assignment.expire": "masa aktif habis",
    "assignment.revoke": "dicabut",
    "assignment.move_out": "pindah akun",
}
SEEN_KINDS = {"member": "Anggota", "invite": "Undangan tertunda"}


def health_label(health: str) -> str:
    return state_word("health", health)


def failure_words(message: str) -> str:
    """A workspace call's failure (the driver's technical sentence) in the owner's words."""
    text = message.lower()
    if not text:
        return ""
    if "token" in text:
        return "token akses ditolak"
    if "no seat left" in text or "full" in text:
        return "workspace penuh"
    if "banned" in text or "deactivated" in text or "not among the accounts" in text or "gone" in text:
        return "workspace diblokir atau hilang"
    if "subscription" in text:
        return "langganan berakhir"
    if "unavailable" in text or "timeout" in text or "timed out" in text or "cloudflare" in text:
        return "ChatGPT tidak bisa dihubungi"
    if "never listed" in text or "no invitation" in text or "never arrived" in text:
        return "undangan tidak pernah muncul"
    if "seat has ended" in text or "seat ended" in text:
        return "kursi sudah berakhir"
    if "another seat" in text:
        return "pelanggan punya kursi lain di workspace ini"
    if "workspace is" in text:
        return "workspace tidak sehat"
    return "ditolak ChatGPT"


def attempt_words(action: str, outcome: str, detail: str) -> str:
    """One recorded call of a task, in words."""
    if outcome == "failed":
        return f"Gagal: {failure_words(detail)}"
    if action == "invite":
        return "Undangan terkirim" if outcome == "ok" else "Dijawab berhasil, tetapi undangan tidak muncul"
    if action == "look":
        if detail.startswith(("invited", "member")):
            return "Dikonfirmasi: " + ("sudah anggota" if detail.startswith("member") else "undangan terlihat")
        if detail.startswith("absent"):
            return "Dicek: belum terlihat di workspace"
        return "Dicek: daftar anggota dan undangan dibaca"
    if action == "cancel_invite":
        return "Undangan dibatalkan"
    if action == "remove_member":
        return "Anggota dikeluarkan"
    if action == "remove":
        return "Sudah tidak ada di workspace"
    return "Langkah tercatat"


def task_error_words(status: str, last_error: str) -> str:
    if not last_error:
        return ""
    words = failure_words(last_error)
    return f"Gagal: {words}" if status == TaskStatus.FAILED else f"Catatan: {words}"


def error_words(health: str, last_error: str, failures_in_row: int) -> str:
    """The account's last problem in a sentence ("" when none)."""
    if health != Health.OK:
        meaning = HEALTH_MEANING.get(Health(health), "") if health in Health.__members__ else ""
        return meaning or failure_words(last_error)
    if failures_in_row and last_error:
        return f"Panggilan terakhir gagal ({failure_words(last_error)}); dicoba lagi ({failures_in_row}×)"
    return ""


# the background jobs, as the overview lists them
JOB_LABELS: dict[str, str] = {
    "release_expired_assignments": "Mengakhiri kursi yang habis masa",
    "serve_pending_stock": "Melayani pesanan yang menunggu stok",
    "expire_unpaid_orders": "Menutup pesanan yang tidak dibayar",
    "deliver_outbox": "Mengirim e-mail",
    "deliver_telegram": "Mengirim pesan Telegram",
    "expiry_reminders": "Pengingat masa aktif",
    "low_pool_alert": "Peringatan stok menipis",
    "operations_alerts": "Peringatan operasional",
    "prune_change_feed": "Merapikan catatan perubahan",
    "workspace_tasks": "Undangan & pengeluaran workspace",
    "workspace_sync": "Sinkronisasi workspace",
    "job_watchdog": "Pengawas tugas latar",
    "subscription_renewals": "Pengingat perpanjangan langganan",
    "waitlist_notify": "Kabar stok kembali (daftar tunggu)",
}


JOB_LABELS_EN: dict[str, str] = {
    "release_expired_assignments": "Ending seats whose time is up",
    "serve_pending_stock": "Serving orders waiting for stock",
    "expire_unpaid_orders": "Closing unpaid orders",
    "deliver_outbox": "Sending e-mails",
    "deliver_telegram": "Sending Telegram messages",
    "expiry_reminders": "Expiry reminders",
    "low_pool_alert": "Low-stock warning",
    "operations_alerts": "Operations warnings",
    "prune_change_feed": "Tidying the change feed",
    "workspace_tasks": "Workspace invites & removals",
    "workspace_sync": "Workspace sync",
    "job_watchdog": "Background job watchdog",
}


def job_label(name: str, lang: str | None = None) -> str:
    """A background job's name in words (an unknown one: "Tugas latar")."""
    return say(JOB_LABELS.get(name, "Tugas latar"), JOB_LABELS_EN.get(name, "Background job"), lang)


def job_outcome(outcome: str, lang: str | None = None) -> str:
    return say("berjalan baik", "ran fine", lang) if outcome == "ok" else say("gagal", "failed", lang)


# --- every state of domain/shared/models.py: (Indonesian, English, Quasar colour of its chip) ---
GOOD, WAIT, BAD, ENDED, BUSY, WARN = "green-9", "amber-4", "red-9", "grey-8", "blue-9", "deep-orange-10"
DARK_COLOURS = {WAIT}  # chips whose text is dark (white on amber reads poorly)
States = dict[str, tuple[str, str, str]]
STATES: dict[str, States] = {
    "order": {
        OrderStatus.PENDING_PAYMENT: ("Menunggu bayar", "Awaiting payment", WAIT),
        OrderStatus.PENDING_STOCK: ("Menunggu stok", "Awaiting stock", WARN),
        OrderStatus.FULFILLED: ("Aktif (terlayani)", "Fulfilled", GOOD),
        OrderStatus.PAYMENT_EXPIRED: ("Tidak dibayar (kedaluwarsa)", "Payment expired", ENDED),
        OrderStatus.PAYMENT_FAILED: ("Pembayaran gagal", "Payment failed", BAD),
        OrderStatus.PAYMENT_REVIEW: ("Perlu diperiksa", "Needs review", WARN),
        OrderStatus.REFUNDED: ("Dikembalikan (refund)", "Refunded", ENDED),
    },
    "assignment": {
        AssignmentStatus.ACTIVE: ("Aktif", "Active", GOOD),
        AssignmentStatus.EXPIRED: ("Berakhir", "Expired", ENDED),
        AssignmentStatus.REVOKED: ("Dicabut", "Revoked", BAD),
    },
    "account": {
        AccountStatus.AVAILABLE: ("Tersedia", "Available", GOOD),
        AccountStatus.ASSIGNED: ("Semua kursi terpakai", "All seats taken", BUSY),
        AccountStatus.SUSPENDED: ("Ditangguhkan", "Suspended", WAIT),
        AccountStatus.RETIRED: ("Dipensiunkan", "Retired", ENDED),
    },
    "health": {
        Health.OK: ("Sehat", "Healthy", GOOD),
        Health.TOKEN_EXPIRED: ("Token kedaluwarsa", "Token expired", WAIT),
        Health.FULL: ("Penuh", "Full", WAIT),
        Health.RESTRICTED: ("Dibatasi", "Restricted", WARN),
        Health.BANNED: ("Diblokir", "Banned", BAD),
        Health.SUBSCRIPTION_ENDED: ("Langganan habis", "Subscription ended", BAD),
        Health.UNREACHABLE: ("Tak terjangkau", "Unreachable", ENDED),
    },
    "invite": {
        InviteState.TO_INVITE: ("Perlu diundang", "To invite", WAIT),
        InviteState.INVITED: ("Sudah diundang", "Invited", BUSY),
        InviteState.JOINED: ("Sudah bergabung", "Joined", GOOD),
        InviteState.TO_REMOVE: ("Perlu dikeluarkan", "To remove", WARN),
        InviteState.REMOVED: ("Sudah dikeluarkan", "Removed", ENDED),
    },
    "delivery": {
        Delivery.CREDENTIALS: ("Login bersama", "Shared login", BUSY),
        Delivery.INVITE: ("Undangan workspace", "Workspace invite", BUSY),
    },
    "driver": {
        Driver.MANUAL: ("Manual (saya undang sendiri)", "Manual (I invite myself)", ENDED),
        Driver.CHATGPT: ("Otomatis (ChatGPT)", "Automatic (ChatGPT)", BUSY),
    },
    "task": {
        TaskStatus.PENDING: ("Menunggu dikirim", "Waiting to be sent", WAIT),
        TaskStatus.CONFIRMING: ("Menunggu konfirmasi", "Awaiting confirmation", BUSY),
        TaskStatus.DONE: ("Selesai", "Done", GOOD),
        TaskStatus.FAILED: ("Gagal — kerjakan manual", "Failed — do it by hand", BAD),
        TaskStatus.CANCELLED: ("Dibatalkan", "Cancelled", ENDED),
    },
    "task_kind": {TaskKind.INVITE: ("Undang", "Invite", BUSY), TaskKind.REMOVE: ("Keluarkan", "Remove", WARN)},
    "mail": {
        MailStatus.PENDING: ("Menunggu dikirim", "Waiting to be sent", WAIT),
        MailStatus.SENT: ("Terkirim", "Sent", GOOD),
        MailStatus.FAILED: ("Gagal dikirim", "Failed", BAD),
    },
    "webhook": {
        EventOutcome.APPLIED: ("Diterapkan", "Applied", GOOD),
        EventOutcome.DUPLICATE: ("Duplikat (sudah diterima)", "Duplicate", ENDED),
        EventOutcome.IGNORED: ("Diabaikan", "Ignored", ENDED),
        EventOutcome.REJECTED: ("Ditolak", "Rejected", BAD),
        EventOutcome.ERROR: ("Galat", "Error", BAD),
    },
    "sold_out": {
        SoldOutMode.QUEUE: ("Tetap jual, pesanan antre", "Keep selling, orders queue", BUSY),
        SoldOutMode.STOP: ("Berhenti jual (habis)", "Stop selling (sold out)", WAIT),
    },
    "job": {"ok": ("Berjalan baik", "Ran fine", GOOD), "error": ("Gagal", "Failed", BAD)},
    "yes_no": {"true": ("Ya", "Yes", GOOD), "false": ("Tidak", "No", ENDED)},
    "role": {"owner": ("Pemilik", "Owner", BUSY), "staff": ("Staf", "Staff", ENDED)},
    "signature": {"true": ("Valid", "Valid", GOOD), "false": ("TIDAK VALID", "INVALID", BAD)},
}
UNKNOWN_STATE = ("Tidak dikenal", "Unknown", ENDED)


class StateWords(dict[str, str]):
    """The states of one kind as a mapping code -> words that answers in the admin's language when looked up
    (its stored values are the Indonesian words)."""

    def __init__(self, kind: str) -> None:
        super().__init__({code: words[0] for code, words in STATES[kind].items()})
        self.kind = kind

    def __getitem__(self, code: str) -> str:
        if code not in self:
            raise KeyError(code)
        return state_word(self.kind, code)

    def get(self, code: str, default: str = "") -> str:  # type: ignore[override]
        return state_word(self.kind, code) if code in self else default


HEALTH_LABELS = StateWords("health")
STATUS_LABELS = StateWords("account")
DELIVERY_LABELS = StateWords("delivery")
DRIVER_LABELS = StateWords("driver")
INVITE_LABELS = StateWords("invite")
TASK_STATUS_LABELS = StateWords("task")
SEAT_LABELS = StateWords("assignment")
TASK_KIND_LABELS = StateWords("task_kind")


def _state(kind: str, value: object) -> tuple[str, str, str]:
    key = str(value).lower() if isinstance(value, bool) else str(value)
    return STATES[kind].get(key, UNKNOWN_STATE)


def state_word(kind: str, value: object, lang: str | None = None) -> str:
    """A state's words ("fulfilled" of an order -> "Aktif (terlayani)"); an unknown code reads "Tidak dikenal"."""
    id_text, en_text, _ = _state(kind, value)
    return say(id_text, en_text, lang)


def state_colour(kind: str, value: object) -> str:
    return _state(kind, value)[2]


def state_choices(kind: str, lang: str | None = None, *, everything: str | None = None) -> dict[str, str]:
    """The states of `kind` as a select's options (code -> words), with "" meaning all when `everything` is given."""
    options = {"": everything} if everything is not None else {}
    return options | {code: state_word(kind, code, lang) for code in STATES[kind]}


def state_chip(kind: str, value: object, lang: str | None = None) -> ui.chip:
    """A small coloured chip with the state's words (`state-<kind>` marks it for tests)."""
    colour = state_colour(kind, value)
    return (
        ui.chip(
            state_word(kind, value, lang), color=colour, text_color="grey-10" if colour in DARK_COLOURS else "white"
        )
        .props("dense square")
        .classes("text-xs font-semibold")
        .mark(f"state-{kind}")
    )


def yes_no_format(lang: str | None = None) -> str:
    """A table column's `:format` that writes a true/false cell as "Ya"/"Tidak" (never true/false)."""
    return f"(v) => v ? '{state_word('yes_no', True, lang)}' : '{state_word('yes_no', False, lang)}'"


def yes_no_columns(columns: list[dict], *names: str) -> list[dict]:
    """`columns` with the named true/false ones written in words."""
    return [c | {":format": yes_no_format()} if c.get("name") in names else c for c in columns]


# a table row that opens on a click and shows a cell as its state's chip when the row carries `<column>_colour`
# (and `<column>_ink`, its text colour): rows made with `chip_fields`
CLICKABLE_STATE_ROW = (
    '<q-tr :props="props" class="cursor-pointer" @click="$parent.$emit(\'open\', props.row)">'
    '<q-td v-for="col in props.cols" :key="col.name" :props="props">'
    '<q-chip v-if="props.row[col.name + \'_colour\']" dense square class="text-xs font-semibold q-ma-none" '
    ":color=\"props.row[col.name + '_colour']\" :text-color=\"props.row[col.name + '_ink']\">{{ col.value }}</q-chip>"
    "<template v-else>{{ col.value }}</template></q-td></q-tr>"
)


# one table cell as its state's chip (the row carries `<column>_colour` and `<column>_ink`: `chip_fields`)
STATE_CELL = (
    '<q-td :props="props"><q-chip dense square class="text-xs font-semibold q-ma-none" '
    ":color=\"props.row[props.col.name + '_colour']\" :text-color=\"props.row[props.col.name + '_ink']\">"
    "{{ props.value }}</q-chip></q-td>"
)


def chip_cell(column: str, field: str | None = None) -> str:
    """A cell's content as its state's chip, for `ServerTable.cell` / `Cards.cell` (so the phone's cards draw it
    too): the words of row field `field` (the column's name by default), coloured by `<column>_colour` and
    `<column>_ink` (`chip_fields`)."""
    shown = field or column
    return (
        '<q-chip dense square class="text-xs font-semibold q-ma-none" '
        f":color=\"props.row['{column}_colour']\" :text-color=\"props.row['{column}_ink']\">"
        f"{{{{ props.row['{shown}'] }}}}</q-chip>"
    )


def chip_fields(kind: str, value: object) -> tuple[str, str]:
    """A state's chip colour and text colour, for a table row's `<column>_colour` and `<column>_ink`."""
    colour = state_colour(kind, value)
    return colour, "grey-10" if colour in DARK_COLOURS else "white"
