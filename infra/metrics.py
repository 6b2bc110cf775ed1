"""Prometheus metrics: the counters and histograms updated where things happen. The shop's state read
from the database at scrape time is added by domain/admin/shop_state.py."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=False)  # never query the database on import
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

WEBHOOK_REQUESTS = Counter(
    "aksesgpt_webhook_requests",
    "Payment callbacks received, by provider and outcome",
    ["provider", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_LATENCY = Histogram(
    "aksesgpt_webhook_latency_seconds",
    "Time to process one payment callback",
    ["provider"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
ALLOCATION_LATENCY = Histogram(
    "aksesgpt_allocation_latency_seconds",
    "Time to allocate a seat to a paid order",
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
CALLBACK_BATCHES = Histogram(
    "aksesgpt_callback_batch_size",
    "Callbacks applied together in one transaction by the callback writer",
    buckets=(1, 2, 4, 8, 16, 32),
    registry=REGISTRY,
)
CALLBACK_BATCH_REPLAYS = Counter(
    "aksesgpt_callback_batch_replays",
    "Callback batches rolled back and replayed one callback per transaction",
    registry=REGISTRY,
)
FAILOVERS = Counter("aksesgpt_payment_failovers", "Checkouts moved to the fallback gateway", ["to"], registry=REGISTRY)
DATABASE_ERRORS = Counter(
    "aksesgpt_database_errors", "Database failures seen by this process, by where", ["place"], registry=REGISTRY
)
JOB_RUNS = Counter("aksesgpt_job_runs", "Background job runs, by outcome", ["job", "outcome"], registry=REGISTRY)
JOB_DURATION = Histogram(
    "aksesgpt_job_duration_seconds",
    "Background job run time",
    ["job"],
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300),
    registry=REGISTRY,
)
