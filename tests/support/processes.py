"""`hotline serve` and `hotline worker` as real processes for tests: start, wait until ready, stop.

One place for what the gateway, channel, browser, security and reliability tests (and bench/load.py) all
need. Everything binds to 127.0.0.1; every wait is bounded in time; every process is stopped by its own
handle, never by name.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 120.0  # seconds: a gateway with the knowledge base loads its encoder on 2 shared cores


class ProcessError(RuntimeError):
    """A process did not start or stop as expected (the message says which and why, with its log)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise ProcessError(f"{what} not reached within {timeout:.0f} s")


def local_env(data_dir: Path, models_dir: Path, **extra: str) -> dict[str, str]:
    """The embedded set-up of one process: SQLite under `data_dir`, in-process twins instead of Redis."""
    return {
        **os.environ,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_MODELS_PATH": str(models_dir),
        "HOTLINE_REDIS_URL": "",
        "HOTLINE_DATABASE_URL": "",
        **extra,
    }


@dataclass
class HotlineProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str | None = None  # gateways only

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill9(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the process holds its connections but does nothing (a stalled worker)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def terminate(self, timeout: float = 40) -> int:
        """SIGTERM and wait: the process drains its work and exits; SIGKILL (and an error) past the timeout."""
        if self.alive:
            self.resume()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise ProcessError(f"{self.name} did not stop within {timeout:.0f} s of SIGTERM") from None
        return int(self.process.returncode)

    def stop(self, timeout: float = 20) -> None:
        """Teardown: SIGTERM, SIGKILL past the timeout, no error (the test's verdict is already in)."""
        with suppress(ProcessError):
            self.terminate(timeout)


def spawn(name: str, args: list[str], env: Mapping[str, str], log_dir: Path) -> HotlineProcess:
    """`python -m gateway.cli <args>` from the repository, output to `<log_dir>/<name>.log`."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *args], env=dict(env), cwd=REPO, stdout=log, stderr=subprocess.STDOUT
        )
    return HotlineProcess(name, process, log_path)


def spawn_gateway(name: str, env: Mapping[str, str], log_dir: Path) -> HotlineProcess:
    port = free_port()
    handle = spawn(name, ["serve", "--host", LOOPBACK, "--port", str(port)], env, log_dir)
    handle.url = f"http://{LOOPBACK}:{port}"
    return handle


def spawn_worker(name: str, env: Mapping[str, str], log_dir: Path, concurrency: int = 2) -> HotlineProcess:
    return spawn(name, ["worker", "--concurrency", str(concurrency)], env, log_dir)


def is_ready(handle: HotlineProcess) -> bool:
    """Gateways answer /readyz 200; workers print that they are consuming."""
    if not handle.alive:
        raise ProcessError(f"{handle.name} exited while starting:\n{handle.log()[-3000:]}")
    if handle.url is None:
        return "worker consuming" in handle.log()
    try:
        return httpx.get(f"{handle.url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(handles: list[HotlineProcess], timeout: float = READY_TIMEOUT) -> None:
    """Processes start in parallel (each loads the models); wait for all of them, bounded."""
    pending = list(handles)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = [handle for handle in pending if not is_ready(handle)]
        if pending:
            time.sleep(0.2)
    if pending:
        raise ProcessError(f"not ready within {timeout:.0f} s: {', '.join(h.name for h in pending)}")


@contextmanager
def running_gateway(
    env: Mapping[str, str], log_dir: Path, name: str = "serve", timeout: float = READY_TIMEOUT
) -> Iterator[HotlineProcess]:
    """One `hotline serve` on a free port, ready when entered (its `url` set), stopped on exit."""
    handle = spawn_gateway(name, env, log_dir)
    try:
        wait_ready([handle], timeout)
        yield handle
    finally:
        handle.stop()
