"""The overview names every background job in words (issue #18: words, not codes)."""

from __future__ import annotations

from types import SimpleNamespace

from infra.settings import get_settings
from pages.admin.words import JOB_LABELS, job_outcome
from runtime.scheduler import shop_jobs


def test_every_job_has_a_name_in_words() -> None:
    workspaces = SimpleNamespace(run_tasks=lambda: "", sync_due=lambda: "")
    jobs = shop_jobs(get_settings(), {}, None, chat=SimpleNamespace(), workspaces=workspaces)  # type: ignore[arg-type]
    missing = [job.name for job in jobs if job.name not in JOB_LABELS]
    assert missing == []
    assert all("_" not in label for label in JOB_LABELS.values())
    assert job_outcome("ok") == "berjalan baik" and job_outcome("error: x") == "gagal"
