"""The callback writer: one thread per process applies payment callbacks, the ones that arrived
together in one transaction (group commit).

Callbacks of one pool serialise anyway (the pool lock), so a thread per request only queued them
on that lock, each paying its own BEGIN, lock, COMMIT and thread hand-off. Here the route hands
its request to the writer and awaits the answer; the writer takes what is queued (up to
`max_batch`), applies it through `payments.process_callbacks`, and settles every waiting route
once the batch is committed. No answer is given before its effect is durable, and a batch that
fails is replayed one request per transaction (see `process_callbacks`)."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence

from domain.payments.callbacks import CallbackJob, CallbackOutcome, process_callbacks
from infra.metrics import CALLBACK_BATCHES

log = logging.getLogger("aksesgpt.webhooks")
MAX_BATCH = 32
ANSWER_WITHIN_S = 10.0  # inside Midtrans's 15 s notification timeout (payment-gateways.md); above a lock wait

Applier = Callable[[Sequence[CallbackJob]], list[CallbackOutcome | Exception]]
_Waiting = tuple[CallbackJob, asyncio.AbstractEventLoop, "asyncio.Future[CallbackOutcome]"]


class CallbackWriter:
    def __init__(self, *, max_batch: int = MAX_BATCH, apply: Applier = process_callbacks) -> None:
        self.max_batch = max_batch
        self._apply = apply
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # batches applied, and callbacks in them (for the benchmark and tests)
        self.callbacks = 0

    async def submit(self, job: CallbackJob, *, timeout: float = ANSWER_WITHIN_S) -> CallbackOutcome:
        """Queue one callback and wait until its transaction committed (or failed: then raise).
        After `timeout` seconds raise TimeoutError, so the gateway gets an error answer and delivers
        again (the callback may still be applied meanwhile: the redelivery is then a duplicate)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[CallbackOutcome] = loop.create_future()
        self._ensure_thread()
        self._queue.put((job, loop, future))
        return await asyncio.wait_for(future, timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="callback-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            outcomes: list[CallbackOutcome | BaseException] = []
            try:
                outcomes = list(self._outcomes(batch))
                self.batches += 1
                self.callbacks += len(batch)
                CALLBACK_BATCHES.observe(len(batch))
            except BaseException as exc:  # never leave a waiting route hanging, whatever ends this batch
                outcomes = [RuntimeError(f"callback writer failed: {type(exc).__name__}") for _ in batch]
                if not isinstance(exc, Exception):
                    self._answer(batch, outcomes)
                    raise  # the thread ends (interpreter exit); the next submit starts another
                log.exception("callback writer: batch of %s failed", len(batch))
            self._answer(batch, outcomes)

    @staticmethod
    def _answer(batch: list[_Waiting], outcomes: Sequence[CallbackOutcome | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[CallbackOutcome], object]]] = {}
        for (_, loop, future), outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # that event loop is closed: nobody waits for these answers any more
                log.warning("callback writer: %s answers for a closed event loop dropped", len(settled))

    def _outcomes(self, batch: list[_Waiting]) -> list[CallbackOutcome | Exception]:
        """One outcome per waiting route, whatever the applier does: a waiter is never left hanging."""
        try:
            outcomes = self._apply([job for job, _, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} callbacks")
        except Exception as exc:  # the applier reports per request, so this is a bug: answer 500, the gateway retries
            log.exception("callback writer: batch of %s failed", len(batch))
            return [RuntimeError(f"callback batch failed: {type(exc).__name__}: {exc}") for _ in batch]
        return outcomes


def _settle(settled: list[tuple[asyncio.Future[CallbackOutcome], object]]) -> None:
    for future, outcome in settled:
        if future.done():  # the route was cancelled (client went away); the effect stays committed
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)  # type: ignore[arg-type]


_writer: CallbackWriter | None = None


def callback_writer() -> CallbackWriter:
    """This process's writer (created on first use)."""
    global _writer
    if _writer is None:
        _writer = CallbackWriter()
    return _writer
