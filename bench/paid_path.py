"""The path of one paid order through our code: the first-party functions a PAID callback calls, in order, from
the callback job to the commit (SQLite, in-process; the route and the writer thread are left out).

    .venv/bin/python bench/paid_path.py          # modules in the order first entered, with call counts
    .venv/bin/python bench/paid_path.py --calls  # every first-party call, nested
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:
    from domain.payments.callbacks import CallbackJob, process_callbacks
    from domain.payments.gateway import PaymentStatus, TransactionState
    from infra import db
except ImportError:  # a checkout from before the layers (2c66dda), measured for comparison
    from domain import db  # type: ignore[attr-defined,no-redef]
    from domain.gateway import PaymentStatus, TransactionState  # type: ignore[import-not-found,no-redef]
    from domain.payments import CallbackJob, process_callbacks  # type: ignore[attr-defined,no-redef]
from tests.helpers import checked_out, make_account, make_product  # noqa: E402

FIRST_PARTY = tuple(str(ROOT / d) for d in ("infra", "domain", "runtime", "api", "pages", "integrations"))


def main() -> None:
    show_calls = "--calls" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'path.db'}"
        db.upgrade_database(url)
        db.configure(url)
        product = make_product()
        make_account(max_seats=5)
        order = checked_out(product)
        state = TransactionState(
            provider="tripay",
            reference=order.provider_reference or "",
            merchant_ref=order.code,
            status=PaymentStatus.PAID,
            amount_idr=order.amount_idr,
        )
        job = CallbackJob(
            provider="tripay",
            raw_body=b"{}",
            headers={},
            started=time.perf_counter(),
            signature_valid=True,
            state=state,
        )
        calls: list[tuple[int, str, str]] = []
        depth = 0

        def profile(frame: FrameType, event: str, _arg: Any) -> None:
            nonlocal depth
            if event == "call":
                depth += 1
                path = frame.f_code.co_filename
                if (
                    path.startswith(FIRST_PARTY)
                    and path.endswith(".py")  # not the compiled e-mail templates
                    and frame.f_code.co_name not in ("<lambda>", "<genexpr>")
                ):
                    module = str(Path(path).relative_to(ROOT))
                    calls.append((depth, module, frame.f_code.co_qualname))
            elif event == "return":
                depth -= 1

        sys.setprofile(profile)
        try:
            outcome = process_callbacks([job])[0]
        finally:
            sys.setprofile(None)
        assert not isinstance(outcome, Exception) and outcome.verdict == "processed", outcome
    by_module = Counter(module for _, module, _ in calls)
    order_seen: list[str] = []
    for _, module, _ in calls:
        if module not in order_seen:
            order_seen.append(module)
    if show_calls:
        base = min(d for d, _, _ in calls)
        for d, module, name in calls:
            print(f"{'  ' * (d - base)}{module}:{name}")
    plumbing = {m for m in by_module if m.endswith(("/types.py", "/settings.py", "/i18n.py"))}
    rules = [c for c in calls if c[1] not in plumbing]
    print(
        f"first-party calls: {len(calls)} in {len(by_module)} modules; without column types, settings and "
        f"translations: {len(rules)} calls, {len({(m, n) for _, m, n in rules})} distinct functions, "
        f"{len(by_module) - len(plumbing)} modules"
    )
    for module in order_seen:
        print(f"  {by_module[module]:4d}  {module}")


if __name__ == "__main__":
    main()
