"""NLU benchmark: latency and throughput on one core, memory, emergency recall/precision.

    python bench/nlu.py [--n 3000] [--cpu 0] [--skip-quality]

Latency is measured per message, both as wall time and as the thread's CPU time: on a machine
shared with other processes the wall-time p99 mostly measures preemption, the CPU time measures
our code. Quality figures come from the team's labelled set, reported separately for the tune part and the
parts the rules were tuned on, and for the held-out part that was never read (nlu.evaluation.dataset).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _texts(length: int, n: int, pool: list[str], rng: random.Random) -> list[str]:
    """Messages of exactly `length` characters, cut from or glued together from real set messages."""
    out = []
    for _ in range(n):
        text = ""
        while len(text) < length:
            text += rng.choice(pool) + "。"
        out.append(text[:length])
    return out


def _measure(fn: Callable[[str], object], texts: list[str]) -> dict[str, float]:
    for text in texts[:50]:
        fn(text)
    wall: list[float] = []
    cpu: list[float] = []
    gc.collect()
    start = time.perf_counter()
    for text in texts:
        w0 = time.perf_counter()
        c0 = time.thread_time()
        fn(text)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    total = time.perf_counter() - start
    wall.sort()
    cpu.sort()

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    return {
        "p50": pct(wall, 0.50),
        "p99": pct(wall, 0.99),
        "cpu_p50": pct(cpu, 0.50),
        "cpu_p99": pct(cpu, 0.99),
        "msgs_per_s": len(texts) / total,
        "cpu_msgs_per_s": len(texts) / sum(cpu),
        "mean": statistics.fmean(wall) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="messages per latency run")
    parser.add_argument("--cpu", type=int, default=0, help="core to pin to")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    rss_start = _rss_mb()
    t0 = time.perf_counter()
    import nlu
    from nlu.analysis import analyse_fast
    from nlu.evaluation import evaluate, load_heldout, load_tune

    nlu.warm_up()
    warm = time.perf_counter() - t0
    rss_warm = _rss_mb()

    examples = load_tune() + [e for p in ("a", "b", "c") for e in load_heldout(part=p)]
    pool = [e.text for e in examples]
    rng = random.Random(44190)
    short = _texts(20, args.n, pool, rng)
    long = _texts(400, max(300, args.n // 5), pool, rng)

    print(
        f"python {sys.version.split()[0]}, pinned to core {args.cpu}, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(f"load average {os.getloadavg()[0]:.2f} (other processes share the machine)")
    print(f"import + warm_up: {warm:.2f} s; RSS {rss_start:.0f} MB before import, {rss_warm:.0f} MB after warm-up")
    print()
    print(
        f"{'function':<25}{'text':<7}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'cpu p50':>9}{'cpu p99':>9}"
        f"{'msg/s':>9}{'cpu msg/s':>11}"
    )
    runs: list[tuple[str, Callable[[str], object]]] = [
        ("analyse (spaCy)", nlu.analyse),
        ("analyse_fast (no spaCy)", analyse_fast),
        ("tokenize", nlu.tokenize),
        ("mask_pii", nlu.mask_pii),
    ]
    for name, fn in runs:
        for label, texts in (("short", short), ("long", long)):
            r = _measure(fn, texts)
            print(
                f"{name:<25}{label:<7}{len(texts):>6}{r['p50']:>9.3f}{r['p99']:>9.3f}{r['cpu_p50']:>9.3f}"
                f"{r['cpu_p99']:>9.3f}{r['msgs_per_s']:>9.0f}{r['cpu_msgs_per_s']:>11.0f}"
            )
    print(f"RSS after the runs: {_rss_mb():.0f} MB")
    print()
    print("degenerate inputs (best of 3 calls, wall ms):")
    for label, text in (
        ("a 15,600-char letter", ("我是幸福小区的业主，物业长期不作为，楼道堆满杂物，电话13812345678。" * 400)[:15600]),
        ("5,000 digits", "1" * 5000),
        ("'救命' x 2,000", "救命" * 2000),
        ("500 negated mentions + 1 real", "没有着火，" * 500 + "现在真的着火了"),
    ):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            nlu.analyse(text)
            best = min(best, time.perf_counter() - t0)
        print(f"  {label:<32}{best * 1000:>9.1f}")

    if args.skip_quality:
        return
    print()

    def detect(text: str) -> nlu.Emergency | None:
        return nlu.analyse(text).emergency

    from nlu.evaluation.dataset import HELD_OUT_PARTS, TUNED_PARTS

    tune = load_tune()
    tuned = [e for p in TUNED_PARTS for e in load_heldout(part=p)]
    held_out = [e for p in HELD_OUT_PARTS for e in load_heldout(part=p)]
    names = ", ".join(p.upper() for p in HELD_OUT_PARTS)
    parts = (
        ("tune (rules tuned on it, model trained on it)", tune),
        (f"parts {TUNED_PARTS[0].upper()}-{TUNED_PARTS[-1].upper()} (read, tuned on, model trained on them)", tuned),
        (f"part {names} (never read, never trained on: the honest figure)", held_out),
    )
    for name, part in parts:
        report = evaluate(part, detect)
        o = report.overall
        print(
            f"emergency, {name}: {report.n_emergency} emergencies / {report.n_non_emergency} others "
            f"({report.n_hard} hard negatives)"
        )
        print(f"  overall  recall {o.recall:.3f}  precision {o.precision:.3f}  (tp {o.tp}, fn {o.fn}, fp {o.fp})")
        for service, c in report.per_service.items():
            print(
                f"  {service}      recall {c.recall:.3f}  precision {c.precision:.3f}"
                f"  (tp {c.tp}, fn {c.fn}, fp {c.fp})"
            )
        if report.wrong_service:
            print(f"  detected but primary service missing: {len(report.wrong_service)}")


if __name__ == "__main__":
    main()
