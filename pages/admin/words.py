"""The admin's words for the codes (every state of domain/shared/models.py with its colour, jobs, audit actions)
and for times ("02 Des 2026 14.05 WIB", "5 menit lalu"), in the admin's language: the pages show these, never
the codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from nicegui import app, ui

from domain.shared.i18n import WIB, language
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
from infra.types import utcnow

LANG_KEY = "admin_lang"  # app.storage.user: the admin's language ("id" unless they switched)


def admin_lang() -> str:
    """The language of the admin being served ("id" outside a page: a job, a test without a browser)."""
    try:
        return language(app.storage.user.get(LANG_KEY))
    except (RuntimeError, AssertionError, KeyError):
        return "id"


def set_admin_lang(lang: str) -> None:
    app.storage.user[LANG_KEY] = language(lang)


def say(id_text: str, en_text: str, lang: str | None = None) -> str:
    """One of two texts, by the admin's language."""
    return en_text if (lang or admin_lang()) == "en" else id_text


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
TASK_KIND_LABELS = {"invite": "Undang", "remove": "Keluarkan"}
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


def wib_time(moment: datetime | None) -> str:
    """Today's times as hour:minute, older ones with their date, in Jakarta time."""
    if moment is None:
        return ""
    local, today = moment.astimezone(WIB), utcnow().astimezone(WIB).date()
    return f"{local.hour:02d}.{local.minute:02d} WIB" if local.date() == today else when(moment)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'baru saja', '5 menit lalu', '3 jam lalu', '2 hari lalu' — with the time in WIB ('' for None)."""
    if moment is None:
        return ""
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 60:
        spoken = say("baru saja", "just now")
    elif seconds < 3600:
        spoken = say(f"{int(seconds // 60)} menit lalu", f"{int(seconds // 60)} min ago")
    elif seconds < 86400:
        spoken = say(f"{int(seconds // 3600)} jam lalu", f"{int(seconds // 3600)} h ago")
    else:
        spoken = say(f"{int(seconds // 86400)} hari lalu", f"{int(seconds // 86400)} days ago")
    return f"{spoken} ({wib_time(moment)})"


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


# --- dates: one format everywhere in the admin, "02 Des 2026 14.05 WIB" ---
SHORT_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
# Quasar's date picker in the same words (its locale: months, days) and its mask "02 Des 2026"
DATE_MASK = "DD MMM YYYY"


def day_words(moment: datetime, lang: str | None = None) -> str:
    """A day in Jakarta: '02 Des 2026'."""
    local = moment.astimezone(WIB)
    return f"{local.day:02d} {SHORT_MONTHS[lang or admin_lang()][local.month - 1]} {local.year}"


def when(moment: datetime | None, lang: str | None = None) -> str:
    """A moment in Jakarta time: '02 Des 2026 14.05 WIB' ('' for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(WIB)
    return f"{day_words(local, lang)} {local.hour:02d}.{local.minute:02d} WIB"


def parse_day(text: str, *, end: bool = False) -> datetime | None:
    """A day typed or picked as '02 Des 2026' (either language's month, any case) or '2026-12-02', as the start
    of that day in Jakarta (the start of the next day with `end`); None when it is not a day."""
    text = (text or "").strip()
    day: datetime | None = None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        parts = text.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            month = parts[1][:3].lower()
            for months in SHORT_MONTHS.values():
                names = [m.lower() for m in months]
                if month in names:
                    try:
                        day = datetime(int(parts[2]), names.index(month) + 1, int(parts[0]))
                    except ValueError:
                        return None
                    break
    if day is None:
        return None
    start = day.replace(tzinfo=WIB)
    return start + timedelta(days=1) if end else start


def date_locale(lang: str | None = None) -> dict[str, object]:
    """Quasar's q-date `locale` prop: month and day names in the admin's language."""
    if (lang or admin_lang()) == "en":
        days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        months = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    else:
        days = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]
        months = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ]
    short = SHORT_MONTHS[lang or admin_lang()]
    return {"days": days, "daysShort": [d[:3] for d in days], "months": months, "monthsShort": short}


def day_picker(label: str, value: str = "") -> ui.input:
    """A date field reading '02 Des 2026' with a calendar behind its icon (no browser mm/dd/yyyy picker)."""
    field = ui.input(label, value=value, placeholder="02 Des 2026").props("dense outlined clearable")
    with field.add_slot("append"):
        button = ui.button(icon="event").props(f'flat round aria-label="{say("Pilih tanggal", "Pick a date")}"')
        button.classes("min-h-[44px] min-w-[44px]")
        with button, ui.menu().props("no-parent-event") as menu:
            calendar = ui.date(mask=DATE_MASK).bind_value(field).on("update:model-value", menu.close)
            calendar._props["locale"] = date_locale()  # month and day names in the admin's language
        button.on("click.stop", menu.open)  # (stop: the field itself would take the click as focus)
    return field


# --- the audit log's entities and actions ---
ENTITY_WORDS: dict[str, tuple[str, str]] = {
    "order": ("Pesanan", "Order"),
    "assignment": ("Kursi pelanggan", "Customer seat"),
    "account": ("Akun ChatGPT", "ChatGPT account"),
    "product": ("Paket", "Package"),
    "admin": ("Admin", "Admin"),
    "workspace_task": ("Tugas workspace", "Workspace task"),
    "setting": ("Pengaturan toko", "Shop setting"),
    "manual_payment": ("Pembayaran manual", "Manual payment"),
}
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "order.create": ("Pesanan dibuat", "Order created"),
    "order.checkout": ("Pembayaran dibuka di gateway", "Payment opened at the gateway"),
    "order.payment_failover": ("Gateway cadangan dipakai", "Backup gateway used"),
    "order.fulfil": ("Dibayar, kursi diberikan", "Paid, seat given"),
    "order.pending_stock": ("Dibayar, menunggu stok", "Paid, waiting for stock"),
    "order.expire": ("Tidak dibayar sampai batas waktu", "Not paid in time"),
    "order.fail": ("Pembayaran gagal", "Payment failed"),
    "order.amount_mismatch": ("Jumlah bayar berbeda, perlu diperiksa", "Amount differs, needs review"),
    "order.review_accept": ("Pembayaran berbeda diterima", "Differing payment accepted"),
    "order.refund": ("Dikembalikan (refund)", "Refunded"),
    "order.mark_paid": ("Ditandai dibayar oleh admin", "Marked paid by an admin"),
    "order.resend_access": ("E-mail akses dikirim ulang", "Access e-mail resent"),
    "assignment.create": ("Kursi diberikan", "Seat given"),
    "assignment.move": ("Dipindah ke akun lain", "Moved to another account"),
    "assignment.move_out": ("Dipindah keluar dari akun ini", "Moved off this account"),
    "assignment.extend": ("Masa aktif diperpanjang", "Extended"),
    "assignment.expire": ("Masa aktif habis", "Expired"),
    "assignment.revoke": ("Kursi dicabut", "Seat revoked"),
    "assignment.reinvite": ("Diundang lagi", "Invited again"),
    "assignment.remove_again": ("Dikeluarkan lagi", "Removed again"),
    "assignment.access_reported": ("Pelanggan melapor tak bisa masuk", "Customer reported no access"),
    "assignment.to_invite": ("Perlu diundang", "To invite"),
    "assignment.invited": ("Undangan terkirim", "Invitation sent"),
    "assignment.joined": ("Pelanggan bergabung ke workspace", "Customer joined the workspace"),
    "assignment.to_remove": ("Perlu dikeluarkan", "To remove"),
    "assignment.removed": ("Dikeluarkan dari workspace", "Removed from the workspace"),
    "account.create": ("Akun ditambahkan", "Account added"),
    "account.import": ("Akun diimpor dari CSV", "Account imported from CSV"),
    "account.update": ("Akun diubah", "Account changed"),
    "account.suspend": ("Akun ditangguhkan", "Account suspended"),
    "account.unsuspend": ("Akun diaktifkan lagi", "Account resumed"),
    "account.retire": ("Akun dipensiunkan", "Account retired"),
    "account.reveal_password": ("Kata sandi akun dilihat", "Account password viewed"),
    "account.health": ("Kesehatan akun berubah", "Account health changed"),
    "account.capacity_lowered": ("Kapasitas akun diturunkan", "Account capacity lowered"),
    "product.create": ("Paket dibuat", "Package created"),
    "product.update": ("Paket diubah", "Package changed"),
    "admin.create": ("Admin dibuat", "Admin created"),
    "admin.login": ("Admin masuk", "Admin signed in"),
    "admin.disable": ("Admin dinonaktifkan", "Admin disabled"),
    "admin.enable": ("Admin diaktifkan", "Admin enabled"),
    "admin.reset_password": ("Kata sandi admin diatur ulang", "Admin password reset"),
    "admin.sign_out_everywhere": ("Keluar dari semua perangkat", "Signed out everywhere"),
    "admin.totp_on": ("Verifikasi dua langkah dinyalakan", "Two-step sign-in turned on"),
    "admin.totp_off": ("Verifikasi dua langkah dimatikan", "Two-step sign-in turned off"),
    "admin.recovery_code_used": ("Kode cadangan dipakai", "Recovery code used"),
    "admin.token_issue": ("Token API dibuat", "API token issued"),
    "admin.token_revoke": ("Token API dicabut", "API token revoked"),
}


def entity_word(entity: str, lang: str | None = None) -> str:
    id_text, en_text = ENTITY_WORDS.get(entity, ("Data lain", "Other record"))
    return say(id_text, en_text, lang)


def action_word(action: str, lang: str | None = None) -> str:
    """An audit action in words; one not listed reads as its entity's word and "diubah"."""
    if action in ACTION_WORDS:
        return say(*ACTION_WORDS[action], lang)
    return say(
        f"{entity_word(action.split('.')[0], 'id')} diubah", f"{entity_word(action.split('.')[0], 'en')} changed", lang
    )


def actor_word(actor: str, lang: str | None = None) -> str:
    """Who did it: an admin's e-mail, "Sistem", "Jadwal otomatis", "Workspace", "Pelanggan"."""
    if actor.startswith("admin:"):
        return actor.removeprefix("admin:")
    if actor.endswith("_webhook"):  # a gateway's callback
        provider = actor.removesuffix("_webhook").capitalize()
        return say(f"{provider} (pemberitahuan bayar)", f"{provider} (payment notice)", lang)
    return {
        "system": say("Sistem", "System", lang),
        "scheduler": say("Jadwal otomatis", "Scheduler", lang),
        "workspace": say("Workspace (otomatis)", "Workspace (automatic)", lang),
        "customer": say("Pelanggan", "Customer", lang),
        "api": say("Pelanggan lewat API pesanan", "Customer via the order API", lang),
        "deadline": say("Batas waktu bayar", "Payment deadline", lang),
        "tripay": "Tripay",
        "midtrans": "Midtrans",
    }.get(actor, actor)


# --- the frame: navigation and page titles in English when the admin switched ---
NAV_EN: dict[str, str] = {
    "Ringkasan": "Overview",
    "Akun": "Accounts",
    "Penugasan": "Seats",
    "Pesanan": "Orders",
    "Webhook": "Webhooks",
    "Audit": "Audit",
    "Outbox e-mail": "E-mail outbox",
    "Paket": "Packages",
    "Admin": "Admins",
    "Keamanan": "Security",
    "Pelanggan": "Customers",
    "Laporan": "Reports",
    "Pengaturan toko": "Shop settings",
    "Cari": "Search",
}
TITLES_EN: dict[str, str] = {
    "Keamanan akun": "Account security",
    "Ringkasan": "Overview",
    "Akun ChatGPT": "ChatGPT accounts",
    "Penugasan kursi": "Seats",
    "Pesanan": "Orders",
    "Audit log": "Audit log",
    "Webhook pembayaran": "Payment webhooks",
    "Outbox e-mail": "E-mail outbox",
    "Paket": "Packages",
    "Admin": "Admins",
    "Pelanggan": "Customers",
    "Laporan": "Reports",
    "Pengaturan toko": "Shop settings",
    "Cari": "Search",
}


def nav_word(label: str, lang: str | None = None) -> str:
    return say(label, NAV_EN.get(label, label), lang)


def title_word(title: str, lang: str | None = None) -> str:
    """A page's title in the admin's language ("Pesanan AG-1" -> "Order AG-1"); one not listed stays as given."""
    if (lang or admin_lang()) != "en":
        return title
    if title.startswith("Pesanan ") and title not in TITLES_EN:
        return "Order " + title.removeprefix("Pesanan ")
    return TITLES_EN.get(title, title)


def language_switch() -> ui.button:
    """The admin's ID/EN switch (kept in the admin's browser session): the page is drawn again in the other."""
    other = "en" if admin_lang() == "id" else "id"

    def switch() -> None:
        set_admin_lang(other)
        ui.navigate.reload()

    name = "English" if other == "en" else "Bahasa Indonesia"
    button = (
        ui.button(other.upper(), icon="translate", on_click=switch)  # short: the header fits a 390 px phone
        .props(f'flat dense no-caps color=white aria-label="{name}"')
        .classes("min-h-[44px] min-w-[44px]")
        .mark("admin-lang")
    )
    button.tooltip(name)
    return button


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


def chip_fields(kind: str, value: object) -> tuple[str, str]:
    """A state's chip colour and text colour, for a table row's `<column>_colour` and `<column>_ink`."""
    colour = state_colour(kind, value)
    return colour, "grey-10" if colour in DARK_COLOURS else "white"


# the tables' column headings in English (ServerTable asks at drawing time; one not listed stays as written)
COLUMNS_EN: dict[str, str] = {
    "Akun": "Account",
    "Berakhir (WIB)": "Ends (WIB)",
    "Dibayar (WIB)": "Paid (WIB)",
    "Dibuat (WIB)": "Created (WIB)",
    "Entitas": "Record",
    "Galat terakhir": "Last error",
    "Hasil": "Outcome",
    "Jenis": "Kind",
    "Jumlah": "Amount",
    "Kepada": "To",
    "Kesehatan": "Health",
    "Keterangan": "Detail",
    "Kode": "Code",
    "Kolom": "Field",
    "Kunci": "Key",
    "Kursi": "Seats",
    "Masalah terakhir": "Last problem",
    "Pelaku": "Who",
    "Pelanggan": "Customer",
    "Percobaan": "Attempts",
    "Perubahan": "Changes",
    "Pesanan": "Order",
    "Sebelum": "Before",
    "Sesudah": "After",
    "Sinkron terakhir": "Last sync",
    "Sisa hari": "Days left",
    "Subjek": "Subject",
    "Tanda tangan": "Signature",
    "Tindakan": "Action",
    "Undangan": "Invitation",
    "Waktu (WIB)": "Time (WIB)",
}


def column_words(columns: list[dict], lang: str | None = None) -> list[dict]:
    """Table columns with their headings in the admin's language."""
    if (lang or admin_lang()) != "en":
        return columns
    return [c | {"label": COLUMNS_EN.get(c.get("label", ""), c.get("label", ""))} for c in columns]
