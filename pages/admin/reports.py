"""Reports (Laporan): a range of WIB days and a grouping; each report as a chart, a table and a CSV download.

CSV files use semicolons: a spreadsheet opened with Indonesian regional settings (Excel, LibreOffice) reads the
comma as the decimal mark and splits a file's columns at semicolons, so a comma-separated file lands in one
column there. Amounts are plain whole rupiah (no "Rp", no thousands dots) so a spreadsheet can add them up;
the file starts with a UTF-8 byte order mark so Excel reads the names right."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nicegui import ui

from domain.admin import reports
from domain.admin.reports import Grouping, MoneyRow, OrderCounts, Period, PoolSeats, Split, wib_midnight
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import MONTHS, WIB, format_idr
from infra import db
from infra.types import utcnow
from pages.admin.dates import day_picker, day_words, parse_day
from pages.admin.frame import Refused, fetch, still_valid
from pages.admin.lang import admin_lang, say
from pages.admin.table import Cards

GROUPINGS = {Grouping.DAY: "Harian", Grouping.WEEK: "Mingguan", Grouping.MONTH: "Bulanan"}
# the reports' titles and headings in English (on the page only: the CSV keeps its Indonesian headings)
REPORT_WORDS_EN = {
    "Harian": "Daily",
    "Mingguan": "Weekly",
    "Bulanan": "Monthly",
    "Periode": "Period",
    "Pendapatan gateway": "Gateway revenue",
    "Pendapatan manual": "Manual revenue",
    "Pendapatan": "Revenue",
    "Biaya gateway": "Gateway fees",
    "Bersih": "Net",
    "Biaya akun": "Account costs",
    "Laba": "Profit",
    "Diskon promo": "Promo discounts",
    "Pendapatan, biaya, refund dan laba": "Revenue, costs, refunds and profit",
    "Pesanan dibuat, dibayar dan kedaluwarsa": "Orders created, paid and expired",
    "Dibuat": "Created",
    "Dibayar": "Paid",
    "Kedaluwarsa": "Expired",
    "Kursi per pool saat ini": "Seats per pool now",
    "Kapasitas": "Capacity",
    "Terpakai": "Used",
    "Kosong": "Free",
    "Pendapatan per paket": "Revenue per package",
    "Pendapatan per metode pembayaran": "Revenue per payment method",
    "Kursi terjual per pool": "Seats sold per pool",
    "Lainnya": "Other",
}


def report_word(text: str) -> str:
    """A report's title or heading in the admin's language (a package's or a method's name stays as it is)."""
    return say(text, REPORT_WORDS_EN.get(text, text))


DEFAULT_DAYS = 30
ROWS_PER_PAGE = 10  # a table's rows per page (the chart shows the whole range)
# ECharts' axis labels and tooltips as rupiah: "Rp 80.000" (Indonesian thousands dots)
RUPIAH_JS = '(v) => "Rp " + Math.round(v).toLocaleString("id-ID")'
DATE_ERROR = "Tanggal tidak valid: isi tanggal awal dan akhir (awal tidak boleh sesudah akhir, paling lama 3 tahun)."
DATE_ERROR_EN = "Invalid dates: fill in the first and last day (the first not after the last, 3 years at most)."


def wib_today() -> date:
    return reports.wib_day(utcnow())


def default_period() -> Period:
    today = wib_today()
    return reports.make_period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def bucket_label(key: date, grouping: Grouping) -> str:
    """A bucket in the admin's words and date format: 01 Nov 2026, 02 Nov 2026 s.d. 08 Nov 2026, November 2026."""
    if grouping == Grouping.MONTH:
        return f"{MONTHS[admin_lang()][key.month - 1]} {key.year}"
    if grouping == Grouping.WEEK:
        return f"{day_words(wib_midnight(key))} s.d. {day_words(wib_midnight(key + timedelta(days=6)))}"
    return day_words(wib_midnight(key))


@dataclass(frozen=True)
class ReportTable:
    """One report as rows of plain values: the page's table shows them (rupiah formatted), the CSV keeps them."""

    key: str  # the file name and the page's markers
    title: str
    headers: list[str]
    rows: list[list[Any]]
    rupiah: bool = True  # the numbers are rupiah (else counts)
    chart_kind: str = "bar"
    lines: list[str] = field(default_factory=list)  # series drawn as lines over the bars
    stacked: bool = False
    charted: list[str] = field(default_factory=list)  # the columns the chart draws (none said: every one)

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(self.headers)
        writer.writerows(self.rows)
        return ("\ufeff" + out.getvalue()).encode()

    def shown(self, value: Any) -> str:
        return format_idr(value) if self.rupiah and isinstance(value, int) else str(value)


@dataclass(frozen=True)
class ReportsView:
    period: Period
    tables: list[ReportTable]
    pools: list[PoolSeats]


MONEY_HEADERS = [
    "Pendapatan gateway",
    "Pendapatan manual",
    "Pendapatan",
    "Biaya gateway",
    "Refund",
    "Bersih",
    "Biaya akun",
    "Laba",
    "Diskon promo",
]


def money_table(rows: list[MoneyRow], grouping: Grouping) -> ReportTable:
    return ReportTable(
        "keuangan",
        "Pendapatan, biaya, refund dan laba",
        ["Periode", *MONEY_HEADERS],
        [
            [
                bucket_label(r.bucket, grouping),
                r.revenue_gateway,
                r.revenue_manual,
                r.revenue,
                r.fees,
                r.refunds,
                r.net,
                r.costs,
                r.profit,
                r.discounts,
            ]
            for r in rows
        ],
        lines=["Bersih", "Laba"],
        charted=["Pendapatan", "Biaya gateway", "Refund", "Biaya akun", "Bersih", "Laba"],
    )


def split_table(key: str, title: str, split: Split, period: Period, *, rupiah: bool = True) -> ReportTable:
    keys = reports.bucket_keys(period)
    return ReportTable(
        key,
        title,
        ["Periode", *split.names],
        [[bucket_label(k, period.grouping), *(split.value(k, n) for n in split.names)] for k in keys],
        rupiah=rupiah,
        stacked=True,
    )


def orders_table(rows: list[OrderCounts], grouping: Grouping) -> ReportTable:
    return ReportTable(
        "pesanan",
        "Pesanan dibuat, dibayar dan kedaluwarsa",
        ["Periode", "Dibuat", "Dibayar", "Kedaluwarsa"],
        [[bucket_label(r.bucket, grouping), r.created, r.paid, r.expired] for r in rows],
        rupiah=False,
    )


def pools_table(pools: list[PoolSeats]) -> ReportTable:
    return ReportTable(
        "kursi-sekarang",
        "Kursi per pool saat ini",
        ["Pool", "Kapasitas", "Terpakai", "Kosong"],
        [[p.pool, p.capacity, p.used, p.free] for p in pools],
        rupiah=False,
        chart_kind="",
    )


def load_view(period: Period) -> ReportsView:
    with db.read_session() as session:
        money = reports.money(session=session, period=period)
        packages = reports.revenue_by_package(session=session, period=period)
        channels = reports.revenue_by_channel(session=session, period=period)
        seats = reports.seats_started(session=session, period=period)
        pools = reports.pool_seats(session=session)
        orders = reports.order_counts(session=session, period=period)
    return ReportsView(
        period,
        [
            money_table(money, period.grouping),
            split_table("per-paket", "Pendapatan per paket", packages, period),
            split_table("per-metode", "Pendapatan per metode pembayaran", channels, period),
            split_table("kursi-terjual", "Kursi terjual per pool", seats, period, rupiah=False),
            pools_table(pools),
            orders_table(orders, period.grouping),
        ],
        pools,
    )


def chart_options(table: ReportTable) -> dict[str, Any]:
    """Bars per period for each column (lines for `lines`), rupiah on the value axis of a money report."""
    axis: dict[str, Any] = {"type": "value", "minInterval": 1}  # whole seats and orders, whole rupiah
    tooltip: dict[str, Any] = {"trigger": "axis"}
    if table.rupiah:
        axis["axisLabel"] = {":formatter": RUPIAH_JS}
        tooltip[":valueFormatter"] = RUPIAH_JS
    series = [
        {
            "name": report_word(name),
            "type": "line" if name in table.lines else table.chart_kind,
            **({"stack": "total"} if table.stacked else {}),
            "data": [row[i + 1] for row in table.rows],
        }
        for i, name in enumerate(table.headers[1:])
        if not table.charted or name in table.charted
    ]
    return {
        "tooltip": tooltip,
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 8, "right": 8, "top": 16, "bottom": 48, "containLabel": True},
        "xAxis": {"type": "category", "data": [row[0] for row in table.rows]},
        "yAxis": axis,
        "series": series,
    }


def download_csv(table: ReportTable, period: Period) -> Callable[[], Any]:
    async def go() -> None:
        if await still_valid():
            ui.download.content(table.csv(), f"laporan-{table.key}-{period.first}-{period.last}.csv", "text/csv")

    return go


def report_ui(table: ReportTable, period: Period) -> None:
    with ui.card().classes("w-full min-w-0").props("flat bordered").mark(f"report-{table.key}"):
        with ui.row().classes("w-full items-center justify-between gap-2"):
            ui.label(report_word(table.title)).classes("text-lg font-bold")
            ui.button(say("Unduh CSV", "Download CSV"), icon="download", on_click=download_csv(table, period)).props(
                "outline no-caps"
            ).classes("min-h-[44px]").mark(f"report-{table.key}-csv")
        if table.chart_kind and table.rows and len(table.headers) > 1:
            ui.echart(chart_options(table)).classes("w-full h-72").mark(f"report-{table.key}-chart")
        if len(table.headers) == 1:
            ui.label(say("Belum ada data pada rentang ini.", "No data in this range yet.")).classes("text-slate-600")
        columns = [
            {"name": f"c{i}", "label": report_word(h), "field": f"c{i}", "align": "left" if i == 0 else "right"}
            for i, h in enumerate(table.headers)
        ]
        rows = [{f"c{i}": table.shown(v) for i, v in enumerate(row)} for row in table.rows]
        shown = ui.table(columns=columns, rows=rows, pagination=ROWS_PER_PAGE).props("flat dense wrap-cells")
        shown.classes("w-full").mark(f"report-{table.key}-table")
        Cards(shown)  # a card per row on a phone


def reports_ui(view: ReportsView) -> None:
    with ui.row().classes("w-full items-end gap-3"):
        first = day_picker(say("Dari tanggal", "From"), day_words(wib_midnight(view.period.first))).classes("w-48")
        first.mark("report-first")
        last = day_picker(say("Sampai tanggal", "To"), day_words(wib_midnight(view.period.last))).classes("w-48")
        last.mark("report-last")
        grouping = ui.select(
            {g.value: report_word(label) for g, label in GROUPINGS.items()},
            value=view.period.grouping.value,
            label=say("Kelompok", "Grouping"),
        )
        grouping.props("outlined dense").classes("w-36").mark("report-grouping")
        show = ui.button(say("Tampilkan", "Show")).classes("min-h-[44px]").mark("report-show")
    summary = ui.label("").classes("text-slate-700").mark("report-summary")
    holder = ui.column().classes("w-full gap-4")

    def draw(current: ReportsView) -> None:
        period = current.period
        money = current.tables[0]
        totals = {h: sum(row[i] for row in money.rows) for i, h in enumerate(money.headers) if i}
        span = say("s.d.", "to").join(
            (bucket_label(period.first, Grouping.DAY) + " ", " " + bucket_label(period.last, Grouping.DAY))
        )
        summary.text = say(
            f"{span} (WIB): "
            f"pendapatan {format_idr(totals['Pendapatan'])}, bersih {format_idr(totals['Bersih'])}, "
            f"laba {format_idr(totals['Laba'])}",
            f"{span} (WIB): "
            f"revenue {format_idr(totals['Pendapatan'])}, net {format_idr(totals['Bersih'])}, "
            f"profit {format_idr(totals['Laba'])}",
        )
        holder.clear()
        with holder:
            for table in current.tables:
                report_ui(table, period)

    def picked(field: ui.input) -> date:
        day = parse_day(field.value or "")  # '02 Des 2026' (the picker) or '2026-12-02'
        if day is None:
            raise ValueError(field.value)
        return day.astimezone(WIB).date()

    async def apply() -> None:
        try:
            period = reports.make_period(picked(first), picked(last), grouping.value)
        except (ValueError, ValidationFailed):
            ui.notify(say(DATE_ERROR, DATE_ERROR_EN), type="negative")
            return
        loaded = await fetch(load_view, period)
        if isinstance(loaded, Refused):
            return
        draw(loaded)

    show.on_click(apply)
    grouping.on_value_change(apply)
    draw(view)
