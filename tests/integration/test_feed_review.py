"""Review of the change feed (issue #17): failing tests for defects found in review."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import timedelta

import pytest

from infra import db
from infra.changes import Change, announce
from infra.types import utcnow
from runtime import feed as feed_module
from runtime.feed import Feed, prune_old_changes


async def _until(condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds * 20)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_change_after_a_quiet_day_is_still_heard(engine) -> None:
    """SQLite numbers rows max(id)+1 (no AUTOINCREMENT): once the hourly prune has emptied change_events after a
    quiet day, ids start at 1 again, below the poller's high-water mark and inside the seen set."""
    feed = Feed()
    heard: list[int] = []
    feed.start()
    feed.subscribe(["order:1"], lambda c: heard.append(c.id))
    try:
        await asyncio.wait_for(feed.connected.wait(), 15)
        for _ in range(3):
            await asyncio.to_thread(db.in_transaction, lambda s: announce(session=s, topics=["order:1"]))
        assert await _until(lambda: len(heard) == 3)
        # a quiet day: the hourly job removes every row
        later = utcnow() + timedelta(days=1, minutes=1)
        assert await asyncio.to_thread(prune_old_changes, later) == "pruned 2"  # (the newest row stays)
        await asyncio.to_thread(db.in_transaction, lambda s: announce(session=s, topics=["order:1"]))
        assert await _until(lambda: len(heard) == 4, 6), f"the change after the prune was dropped (heard {heard})"
    finally:
        await feed.stop()


class FreezableProxy:
    """A TCP proxy to PostgreSQL whose traffic can be frozen (a network black hole: no RST, no FIN) and whose
    connections can then be cut (what TCP finally does after its retransmissions give up)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = threading.Event()
        self.sockets: list[socket.socket] = []
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if self.frozen.is_set():  # dropped, like packets into a black hole
                    continue
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self) -> None:
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()


def _through(url: str, port: int) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


async def test_a_listen_connection_that_dies_silently_is_noticed_and_loses_nothing(
    engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network cut without RST (a failover, a NAT timeout): the liveness `SELECT 1` has no timeout, and the
    catch-up window starts when the loss is noticed, not when the connection was last heard alive."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    import sqlalchemy as sa

    monkeypatch.setattr(feed_module, "LIVENESS_SECONDS", 0.5)
    monkeypatch.setattr(feed_module, "CATCH_UP_MARGIN", timedelta(seconds=1))  # (scaled like the liveness)
    url = sa.engine.make_url(db_url)
    proxy = FreezableProxy(url.host or "127.0.0.1", url.port or 5432)
    db.configure(_through(db_url, proxy.port))  # this process's engine (and its LISTEN) go through the proxy
    direct = db.make_engine(db_url, poolclass=sa.pool.NullPool)
    feed = Feed()
    heard: list[str] = []
    feed.start()
    feed.subscribe(["order:7"], lambda c: heard.extend(c.topics))
    try:
        await asyncio.wait_for(feed.connected.wait(), 15)
        feed._remove_sink()  # (the writer below stands for another process: this feed hears it only by LISTEN)
        feed._remove_sink = None
        proxy.frozen.set()  # the network goes silent
        with db.write_session(direct) as s:  # another process commits meanwhile
            announce(session=s, topics=["order:7"])
        noticed = await _until(lambda: not feed.connected.is_set(), 5)  # 10 liveness intervals
        proxy.cut()  # (TCP gives up at last)
        proxy.frozen.clear()  # the network is back
        await asyncio.wait_for(feed.connected.wait(), 15)
        await _until(lambda: "order:7" in heard, 3)
        problems = [] if noticed else ["a silent LISTEN connection was not noticed within 10 liveness intervals"]
        if "order:7" not in heard:
            problems.append("the change committed while the connection was silently dead was lost")
        assert not problems, problems
    finally:
        await feed.stop()
        direct.dispose()


def test_open_front_pages_read_the_catalogue_once_per_change(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every open front page re-reads through the shared CatalogueCache when a change arrives: they all arrive at
    once, and each one that finds the cache stale reads the catalogue itself."""
    from pages.shop import home

    reads: list[int] = []

    def slow_catalogue(*, session):
        reads.append(1)
        threading.Event().wait(0.2)
        return []

    monkeypatch.setattr(home, "catalogue", slow_catalogue)
    cache = home.CatalogueCache()
    cache.expire(Change(id=1, topics=frozenset({"assignment"})))  # a seat was taken: 20 open pages refresh
    threads = [threading.Thread(target=cache.load) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reads) <= 2, f"{len(reads)} catalogue reads for one change"
