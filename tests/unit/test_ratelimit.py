"""Rate limits counted by the `limits` library: per client, per limit, and shared by processes through Redis."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
import redis

from infra import ratelimit
from infra.ratelimit import RateLimit
from tests.live import ROOT

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def memory():
    ratelimit.use_storage("")
    yield
    ratelimit.use_storage("")


def test_a_client_is_refused_past_its_limit_and_others_are_not(memory) -> None:
    limit = RateLimit(f"t-{secrets.token_hex(3)}", limit=3, per_seconds=60)
    assert [limit.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2"), "another address has its own count"
    other = RateLimit(f"t-{secrets.token_hex(3)}", limit=3, per_seconds=60)
    assert other.allow("10.0.0.1"), "another limit has its own count"


HITS = """
import sys
from infra import ratelimit
ratelimit.use_storage(sys.argv[1])
limit = ratelimit.RateLimit(sys.argv[2], limit=10, per_seconds=60)
print(sum(limit.allow("203.0.113.9") for _ in range(8)))
"""


def test_two_processes_share_one_limit_through_redis() -> None:
    """Trust #14: each process counted alone, so two processes allowed twice the limit."""
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    name = f"orders-{secrets.token_hex(4)}"
    runs = [
        subprocess.run([sys.executable, "-c", HITS, REDIS, name], cwd=ROOT, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    allowed = [int(run.stdout.strip().splitlines()[-1]) for run in runs]
    assert allowed == [8, 2], allowed  # ten in all, whichever process asked


def test_without_its_redis_the_shop_still_sells(memory) -> None:
    ratelimit.use_storage("redis://127.0.0.1:1/0")  # nothing listens there
    limit = RateLimit(f"t-{secrets.token_hex(3)}", limit=1, per_seconds=60)
    assert limit.allow("10.0.0.1") and limit.allow("10.0.0.1"), "not counted, not refused"
