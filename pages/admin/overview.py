"""The owner's overview: pool gauges, counts, revenue, webhook health, 30 days of orders — live."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from dataclasses import dataclass
from typing import Any

from nicegui import Client, background_tasks, ui

from domain.admin.dashboard import Overview, overview
from domain.admin.invariants import check_invariants
from domain.shared.i18n import format_idr
from domain.shared.models import Health
from infra import db
from pages.admin.error_words import problem_text
from pages.admin.frame import REFUSED, Refused, fetch, shared_read
from pages.admin.table import wib
from pages.admin.words import (
    DARK_TEXT,
    HEALTH_COLOURS,
    SHORT_MONTHS,
    STATES,
    admin_lang,
    ago,
    job_label,
    job_outcome,
    say,
    state_chip,
    state_word,
)
from pages.live import in_page_context
from runtime.feed import FEED

log = logging.getLogger("aksesgpt.admin")

RUPIAH_JS = "(v) => 'Rp ' + Math.round(v).toLocaleString('id-ID')"  # 80000 -> "Rp 80.000", as format_idr writes it


def load() -> Overview:
    """Everything but the invariant check, which runs on its own (`load_violations`)."""
    with db.read_session() as session:
        return overview(session=session, with_invariants=False)


def load_violations() -> list[str]:
    with db.read_session() as session:
        return check_invariants(session=session)


def whole_scale(maximum: float) -> tuple[int, int]:
    """A gauge's top and number of steps so every tick is a whole number (seats: 2, 4, 6…, never 2.8, 5.6…)."""
    top = max(int(-(-maximum // 1)), 1)
    if top <= 5:
        return top, top
    top += -top % 5  # up to a multiple of 5: five equal whole steps
    return top, 5


def gauge(title: str, value: float, maximum: float, low: float | None, unit: str = "") -> dict[str, Any]:
    """An ECharts gauge; with `low`, the band below it is red (the low-pool threshold). Its ticks are whole."""
    maximum, steps = whole_scale(maximum)
    colors = (
        [[min(low / maximum, 1), "#dc2626"], [1, "#16a34a"]]
        if low is not None
        else [[0.7, "#16a34a"], [0.9, "#f59e0b"], [1, "#dc2626"]]
    )
    red = low is not None and value < low
    return {
        "series": [
            {
                "type": "gauge",
                "min": 0,
                "max": maximum,
                "splitNumber": steps,
                "radius": "95%",
                "axisLine": {"lineStyle": {"width": 14, "color": colors}},
                "pointer": {"itemStyle": {"color": "#dc2626" if red else "#0f172a"}},
                "axisLabel": {"distance": 18, "fontSize": 10},
                "splitLine": {"length": 10},
                "axisTick": {"show": False},
                "title": {"offsetCenter": [0, "75%"], "fontSize": 13},
                "detail": {
                    "valueAnimation": True,
                    "fontSize": 22,
                    "offsetCenter": [0, "40%"],
                    ":formatter": f"(v) => v.toLocaleString('id-ID') + '{unit}'",  # 1,1% (Indonesian decimals)
                    "color": "#dc2626" if red else "#0f172a",
                },
                "data": [{"value": round(value, 1), "name": title}],
            }
        ]
    }


def daily_chart(d: Overview) -> dict[str, Any]:
    """30 days of paid orders (bars) and revenue (line, its numbers written "Rp 80.000")."""
    paid, revenue = say("Pesanan dibayar", "Paid orders"), say("Pendapatan", "Revenue")
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [paid, revenue]},
        "grid": {"left": 50, "right": 90, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [_day_label(day) for day, _, _ in d.daily]},
        "yAxis": [
            {"type": "value", "name": say("Pesanan", "Orders"), "minInterval": 1},
            {"type": "value", "name": "Rp", "position": "right", "axisLabel": {":formatter": RUPIAH_JS}},
        ],
        "series": [
            {"name": paid, "type": "bar", "data": [n for _, n, _ in d.daily]},
            {
                "name": revenue,
                "type": "line",
                "yAxisIndex": 1,
                "data": [r for _, _, r in d.daily],
                "tooltip": {":valueFormatter": RUPIAH_JS},
            },
        ],
    }


def _day_label(day: str) -> str:
    """A chart day ('03/11', as the dashboard reads it) as the admin writes days ('03 Nov'); else as it came."""
    try:
        number, month = (int(part) for part in day.split("/"))
        return f"{number:02d} {SHORT_MONTHS[admin_lang()][month - 1]}"
    except (ValueError, IndexError):
        return day


@dataclass
class Live:
    """What the overview shows, shared by every open overview tab of this process (SharedOverview)."""

    data: Overview
    checked: bool = False  # an invariant check has finished
    check_failed: bool = False  # the last check failed (shown; tried again at the next interval)


def stats_ui(d: Overview) -> None:
    """Orders waiting for stock, revenue, and the counts by status."""
    waiting = d.orders_by_status.get("pending_stock", 0)
    if waiting:  # said only while some wait
        with ui.card().classes("w-full bg-amber-100").props("flat bordered"):
            ui.label(say(f"Pesanan menunggu stok: {waiting}", f"Orders waiting for stock: {waiting}")).classes(
                "text-lg font-bold"
            ).mark("pending-stock-count")
    accounts_health_ui(d)
    with ui.card().classes("w-full").props("flat bordered"):
        ui.label(say("Pendapatan", "Revenue")).classes("font-semibold")
        ui.label(
            say(
                f"Hari ini {format_idr(d.revenue_today)} · 7 hari {format_idr(d.revenue_7_days)} "
                f"· 30 hari {format_idr(d.revenue_30_days)}",
                f"Today {format_idr(d.revenue_today)} · 7 days {format_idr(d.revenue_7_days)} "
                f"· 30 days {format_idr(d.revenue_30_days)}",
            )
        ).mark("revenue")
    with ui.card().classes("w-full").props("flat bordered"):
        counts_ui(say("Akun", "Accounts"), "account", d.accounts_by_status)
        counts_ui(say("Pesanan", "Orders"), "order", d.orders_by_status)
        ui.label(
            say(f"Kursi berakhir dalam 7 hari: {d.ending_7_days}", f"Seats ending within 7 days: {d.ending_7_days}")
        )
        ui.label(webhook_words(d)).mark("webhooks")


def counts_ui(title: str, kind: str, counts: dict[str, int]) -> None:
    """Counts by state, each a coloured chip with its words ("belum ada" when none)."""
    with ui.row().classes("items-center gap-1 flex-wrap"):
        ui.label(f"{title}:").classes("text-sm")
        if not counts:
            ui.label(say("belum ada", "none yet")).classes("text-sm text-slate-600")
        for state in STATES[kind]:
            if counts.get(state):
                chip = state_chip(kind, state)
                chip.text = f"{chip.text} {counts[state]}"


def webhook_words(d: Overview) -> str:
    """The payment gateway's last day in a sentence: how many notices, how many went well, how fast 95 of 100 were."""
    if not d.webhooks_24h:
        return say("Pemberitahuan pembayaran 24 jam: belum ada", "Payment notices in 24 h: none")
    rate = f"{d.webhook_success_rate * 100:.1f}".replace(".", ",") + "%" if d.webhook_success_rate is not None else "-"
    fast = f"{d.webhook_p95_ms:.0f} ms" if d.webhook_p95_ms is not None else "-"
    return say(
        f"Pemberitahuan pembayaran 24 jam: {d.webhooks_24h} · berhasil {rate} · 95% dijawab dalam {fast}",
        f"Payment notices in 24 h: {d.webhooks_24h} · {rate} fine · 95% answered within {fast}",
    )


def accounts_health_ui(d: Overview) -> None:
    """Accounts per health (each a link to the list filtered by it) and the unhealthy ones, each a link to its page."""
    with ui.card().classes("w-full").props("flat bordered").mark("accounts-health"):
        ui.label(say("Kesehatan akun", "Account health")).classes("font-semibold")
        with ui.row().classes("gap-2 flex-wrap"):
            for health in Health:
                count = d.accounts_by_health.get(health.value, 0)
                if not count and health != Health.OK:
                    continue
                ui.chip(
                    f"{state_word('health', health)} {count}",
                    color=HEALTH_COLOURS[health],
                    text_color="grey-10" if health in DARK_TEXT else "white",
                    on_click=lambda h=health.value: ui.navigate.to(f"/admin/accounts?health={h}"),
                ).props("square").classes("font-semibold min-h-[44px]").mark(f"health-count-{health.value}")
        for account in d.unhealthy:
            with ui.row().classes("w-full items-center gap-2 flex-wrap border-t border-slate-200 pt-1"):
                ui.link(account.email, f"/admin/accounts/{account.id}").classes(
                    "text-primary break-all min-h-[44px] flex items-center"
                ).mark("unhealthy-account")
                ui.label(state_word("health", account.health)).classes("text-sm font-semibold text-red-800")
                note = say(f"sejak {ago(account.since)}", f"since {ago(account.since)}") if account.since else ""
                if account.customers:
                    note += say(
                        f" · {account.customers} pelanggan masih di akun ini", f" · {account.customers} customers left"
                    )
                ui.label(note.strip(" ·")).classes("text-xs text-slate-600")


def invariants_ui(live: Live) -> None:
    violations = live.data.violations
    if live.check_failed:
        ui.label(
            say("Pemeriksaan data gagal; dicoba lagi dalam 30 detik", "The data check failed; again in 30 s")
        ).classes("text-amber-700").mark("invariants-failed")
    elif not live.checked:
        ui.label(say("Memeriksa kecocokan data…", "Checking the data…")).classes("text-slate-500")
    elif violations:
        with ui.card().classes("w-full bg-red-50").props("flat bordered"):
            ui.label(say(f"{len(violations)} data tidak cocok", f"{len(violations)} data problems")).classes(
                "font-bold text-red-700"
            )
            for problem in violations[:50]:
                ui.label(problem_text(problem)).classes("text-sm")
    else:
        ui.label(say("Pemeriksaan data: semua cocok", "Data check: all consistent")).classes(
            "text-green-700 font-semibold"
        ).mark("invariants-ok")


def health_ui(live: Live) -> None:
    """Alerts, the background jobs' last runs, and the invariant check."""
    for alert in live.data.alerts:
        ui.label(f"{say('Peringatan', 'Warning')}: {alert.message}").classes(
            "w-full bg-amber-100 text-amber-900 rounded p-2 text-sm"
        ).mark("alert")
    if live.data.jobs:
        with ui.row().classes("w-full gap-2 flex-wrap text-xs"):
            for job in live.data.jobs:
                colour = "bg-green-100" if job.last_outcome == "ok" else "bg-red-100"
                last = wib(job.last_success_at) or say("belum pernah", "never")
                ui.label(f"{job_label(job.name)}: {job_outcome(job.last_outcome)} · {last}").classes(
                    f"{colour} rounded px-2 py-1"
                ).mark("job-run")
    invariants_ui(live)


class OverviewBoard:
    """The overview's elements: two gauges, the figures beside them, the daily chart, and the health list."""

    def __init__(self, data: Overview, threshold: int) -> None:
        self.threshold = threshold
        with ui.row().classes("w-full gap-4 flex-wrap"):
            with ui.card().classes("w-72").props("flat bordered"):
                self.used_chart = ui.echart(self.used_gauge(data)).classes("w-full h-56").mark("gauge-utilisation")
                self.used_label = ui.label("").classes("text-sm text-slate-600 text-center w-full")
            with ui.card().classes("w-72").props("flat bordered"):
                self.free_chart = ui.echart(self.free_gauge(data)).classes("w-full h-56").mark("gauge-free")
                ui.label(say(f"Batas stok menipis: {threshold} kursi", f"Low-stock line: {threshold} seats")).classes(
                    "text-sm text-slate-600 text-center w-full"
                )
            self.stats = ui.column().classes("flex-1 min-w-[280px] gap-2")
        self.chart = ui.echart({}).classes("w-full h-72").mark("daily-chart")
        self.health = ui.column().classes("w-full")

    def used_gauge(self, d: Overview) -> dict[str, Any]:
        return gauge(say("Kursi terpakai", "Seats in use"), d.utilisation * 100, 100, None, "%")

    def free_gauge(self, d: Overview) -> dict[str, Any]:
        return gauge(
            say("Kursi kosong", "Free seats"), d.seats_free, max(d.seats_total, self.threshold * 2), self.threshold
        )

    def show(self, live: Live) -> None:
        d = live.data
        self.used_chart.options.update(self.used_gauge(d))
        self.used_chart.update()
        self.free_chart.options.update(self.free_gauge(d))
        self.free_chart.update()
        self.used_label.text = say(
            f"{d.seats_used} dari {d.seats_total} kursi", f"{d.seats_used} of {d.seats_total} seats"
        )
        self.stats.clear()
        with self.stats:
            stats_ui(d)
        self.chart.options.clear()
        self.chart.options.update(daily_chart(d))
        self.chart.update()
        self.health.clear()
        with self.health:
            health_ui(live)


class SharedOverview:
    """The overview, computed once per process per change and shown by every open overview tab.

    The change feed names what changed; a change to orders, seats, accounts, packages or payment events moves some
    figure of the overview, so one is enough to compute it again (once for a rush of changes, resting between
    two computations as long as the last one took: the overview keeps at most half a thread busy). With no tab
    open nothing is computed, and the next tab to open reads it afresh. It is also computed every SAFETY_SECONDS
    (job runs, alerts and time windows move by themselves), and the invariant check runs every CHECK_SECONDS,
    once per process however many tabs are open. Each tab is shown the result only while its admin session holds
    (checked through the session cache: no read per tab)."""

    TOPICS = ("order", "assignment", "account", "product", "payment_event")  # (e-mails sent move none of it)
    MIN_GAP, MAX_GAP = 0.05, 1.0
    SAFETY_SECONDS = 60.0
    CHECK_SECONDS = 30.0

    def __init__(self) -> None:
        self.live: Live | None = None
        self.boards: dict[Client, tuple[OverviewBoard, contextvars.Context]] = {}
        self.computed = 0  # how often the overview was computed (tests and the bench count)
        self.checks = 0
        self._stale = True
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._check_task: asyncio.Task[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        self._subscription = FEED.subscribe(self.TOPICS, self.heard, process=True)
        FEED.on_start(self.reset)

    def reset(self) -> None:
        """A new app starts (tests): no tab open, nothing known."""
        for task in (self._task, self._check_task, self._timer):
            if task is not None:
                task.cancel()
        self._task = self._check_task = self._timer = None
        self.boards.clear()
        self.live, self._stale, self._dirty = None, True, False

    def heard(self, _change: object = None) -> None:
        self._stale = True
        if self.boards:
            self.trigger()

    def trigger(self) -> None:
        self._dirty = True
        if self._task is None:
            self._task = background_tasks.create(self._compute(), name="shared overview")

    async def _compute(self) -> None:
        try:
            while self._dirty and self.boards:
                self._dirty, self._stale = False, False
                started = time.monotonic()
                try:
                    fresh = await shared_read(load)
                except Exception as exc:  # the database did not answer: the next change or interval tries again
                    log.warning("overview: read failed: %s: %s", type(exc).__name__, exc)
                    self._stale = True
                    break
                self.computed += 1
                self._show(fresh)
                await asyncio.sleep(min(self.MAX_GAP, max(self.MIN_GAP, time.monotonic() - started)))
        finally:
            self._task = None

    def _show(self, fresh: Overview) -> None:
        if self.live is None:
            self.live = Live(data=fresh)
        else:
            fresh.violations = self.live.data.violations
            self.live.data = fresh
        self._push_all()

    def _push_all(self) -> None:
        for client, (board, context) in list(self.boards.items()):
            in_page_context(context, self._push(client, board))

    async def _push(self, client: Client, board: OverviewBoard) -> None:
        if client.is_deleted or self.live is None:
            self.boards.pop(client, None)
            return
        with client:
            try:
                session = await fetch(lambda: None)
            except Exception as exc:  # its browser session is gone
                log.info("overview: a tab left: %s: %s", type(exc).__name__, exc)
                session = REFUSED
            if isinstance(session, Refused):  # the session ended: that tab is leaving
                self.boards.pop(client, None)
                return
            board.show(self.live)

    async def current(self) -> Live:
        """The overview for a tab that opens: the shared one when nothing changed since, else read now."""
        if not self.boards:  # nobody kept it up to date: start afresh (the invariant check runs as the tab joins)
            self.live = None
        if self.live is None or self._stale:
            fresh = await shared_read(load)
            self.computed += 1
            self._stale = False
            if self.live is None:
                self.live = Live(data=fresh)
            else:
                fresh.violations = self.live.data.violations
                self.live.data = fresh
        return self.live

    def join(self, client: Client, board: OverviewBoard, context: contextvars.Context) -> None:
        known = client in self.boards
        self.boards[client] = (board, context)
        if not known:
            client.on_delete(lambda: self.boards.pop(client, None))
        if self._stale:  # a change went by between the tab's read and its socket's connect
            self.trigger()
        if self._timer is None:
            self._timer = background_tasks.create(self._intervals(), name="overview intervals")

    async def _intervals(self) -> None:
        """While any tab is open: the invariant check now and every CHECK_SECONDS, the overview every
        SAFETY_SECONDS."""
        last_safety = time.monotonic()
        try:
            while self.boards:
                if self._check_task is None:
                    self._check_task = background_tasks.create(self._check(), name="overview invariants")
                await asyncio.sleep(self.CHECK_SECONDS)
                if time.monotonic() - last_safety >= self.SAFETY_SECONDS:
                    last_safety = time.monotonic()
                    self.trigger()
        finally:
            self._timer = None

    async def _check(self) -> None:
        # on a large shop the check takes seconds: changes keep showing meanwhile
        try:
            try:
                violations = await shared_read(load_violations)
            except Exception as exc:  # the database is down or slow: say so, and try again at the next interval
                log.warning("overview: invariant check failed: %s: %s", type(exc).__name__, exc)
                violations = None
            self.checks += 1
            if self.live is None:
                return
            self.live.check_failed = violations is None
            if violations is not None:
                self.live.checked = True
                self.live.data.violations = violations
            self._push_all()
        finally:
            self._check_task = None


SHARED = SharedOverview()


def overview_ui(live_data: Live, threshold: int) -> None:
    """The overview as it stands (the invariant check follows if none ran yet), then live with every other open
    tab of this process."""
    board = OverviewBoard(live_data.data, threshold)
    board.show(live_data)
    client, context = ui.context.client, contextvars.copy_context()
    client.on_connect(lambda: SHARED.join(client, board, context))
