"""Times in the admin: one format everywhere ("02 Des 2026 14.05 WIB"), "5 menit lalu", and a day field whose
calendar writes the same ("02 Des 2026"), never the browser's mm/dd/yyyy picker."""

from __future__ import annotations

from datetime import datetime, timedelta

from nicegui import ui

from domain.shared.i18n import WIB
from infra.types import utcnow
from pages.admin.lang import admin_lang, say

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
