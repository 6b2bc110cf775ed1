"""The admin's words for the workspace codes (health, modes, invite states, tasks and their attempts) and for
times ("5 menit lalu, 14:03 WIB"): the pages show these, never the codes."""

from __future__ import annotations

from datetime import datetime

from domain.shared.i18n import WIB
from domain.shared.models import AccountStatus, Delivery, Driver, Health, InviteState, TaskStatus
from infra.types import utcnow

HEALTH_LABELS: dict[str, str] = {
    Health.OK: "Sehat",
    Health.TOKEN_EXPIRED: "Token kedaluwarsa",
    Health.FULL: "Penuh",
    Health.RESTRICTED: "Dibatasi",
    Health.BANNED: "Diblokir",
    Health.SUBSCRIPTION_ENDED: "Langganan habis",
    Health.UNREACHABLE: "Tak terjangkau",
}
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
STATUS_LABELS: dict[str, str] = {
    AccountStatus.AVAILABLE: "Tersedia",
    AccountStatus.ASSIGNED: "Semua kursi terpakai",
    AccountStatus.SUSPENDED: "Ditangguhkan",
    AccountStatus.RETIRED: "Dipensiunkan",
}
DELIVERY_LABELS: dict[str, str] = {Delivery.CREDENTIALS: "Login bersama", Delivery.INVITE: "Undangan workspace"}
DRIVER_LABELS: dict[str, str] = {Driver.MANUAL: "Manual (saya undang sendiri)", Driver.CHATGPT: "Otomatis (ChatGPT)"}
INVITE_LABELS: dict[str, str] = {
    InviteState.TO_INVITE: "Perlu diundang",
    InviteState.INVITED: "Sudah diundang",
    InviteState.JOINED: "Sudah bergabung",
    InviteState.TO_REMOVE: "Perlu dikeluarkan",
    InviteState.REMOVED: "Sudah dikeluarkan",
}
TASK_KIND_LABELS = {"invite": "Undang", "remove": "Keluarkan"}
TASK_STATUS_LABELS: dict[str, str] = {
    TaskStatus.PENDING: "Menunggu dikirim",
    TaskStatus.CONFIRMING: "Menunggu konfirmasi",
    TaskStatus.DONE: "Selesai",
    TaskStatus.FAILED: "Gagal — kerjakan manual",
    TaskStatus.CANCELLED: "Dibatalkan",
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
    return HEALTH_LABELS.get(Health(health), health) if health in Health.__members__ else health


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
    return local.strftime("%H:%M WIB") if local.date() == today else local.strftime("%d-%m-%Y %H:%M WIB")


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'baru saja', '5 menit lalu', '3 jam lalu', '2 hari lalu' — with the time in WIB ('' for None)."""
    if moment is None:
        return ""
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 60:
        spoken = "baru saja"
    elif seconds < 3600:
        spoken = f"{int(seconds // 60)} menit lalu"
    elif seconds < 86400:
        spoken = f"{int(seconds // 3600)} jam lalu"
    else:
        spoken = f"{int(seconds // 86400)} hari lalu"
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
    "subscription_renewals": "Pengingat perpanjangan langganan",
}


def job_outcome(outcome: str) -> str:
    return "berjalan baik" if outcome == "ok" else "gagal"
