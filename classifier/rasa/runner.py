"""Running Rasa from its own Python 3.10 environment: train an exported project, start and stop a server.

Rasa 3.6 pins pydantic 1 and redis < 5, so it never shares the gateway's environment; these helpers only
call its `rasa` executable (HOTLINE_RASA_BIN, else .rasa-venv/bin/rasa, else `rasa` on PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from classifier.errors import BackendUnavailable

DEFAULT_VENV_BIN = Path(".rasa-venv") / "bin" / "rasa"


def find_rasa(explicit: str | None = None) -> Path:
    for candidate in (explicit, os.environ.get("HOTLINE_RASA_BIN"), str(DEFAULT_VENV_BIN), shutil.which("rasa")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise BackendUnavailable(
        "no `rasa` executable: run `make rasa-venv` (Python 3.10 environment) or set HOTLINE_RASA_BIN"
    )


def _env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}


def train_project(project: Path, rasa: Path, timeout_seconds: float = 3600, log_path: Path | None = None) -> Path:
    """`rasa train nlu` in `project`; returns the trained model archive. With `log_path` Rasa's output
    (its epoch progress bars) goes to that file as it is written, for trainings that take hours."""
    out = project / "models"
    rasa = rasa.absolute()  # the command runs inside the project directory
    cmd = [str(rasa), "train", "nlu", "--config", "config.yml", "--nlu", "data/nlu.yml", "--out", "models"]
    try:
        if log_path is None:
            done = subprocess.run(cmd, cwd=project, env=_env(), capture_output=True, text=True, timeout=timeout_seconds)
            returncode, tail = done.returncode, done.stderr[-2000:]
        else:
            with log_path.open("w") as log:
                logged = subprocess.run(
                    cmd, cwd=project, env=_env(), stdout=log, stderr=subprocess.STDOUT, timeout=timeout_seconds
                )
            returncode, tail = logged.returncode, log_path.read_text(errors="replace")[-2000:]
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise BackendUnavailable(f"rasa train took longer than {timeout_seconds:.0f}s in {project}") from exc
    if returncode != 0:
        raise BackendUnavailable(f"rasa train failed ({returncode}): {tail}")
    archives = sorted(out.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives:
        raise BackendUnavailable(f"rasa train wrote no model into {out}")
    return archives[-1]


@dataclass
class RasaServer:
    """A `rasa run --enable-api` child process (tests and the benchmark start their own)."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(project: Path, rasa: Path, port: int, ready_timeout: float = 180) -> RasaServer:
    """Start a server on 127.0.0.1:port for the project's newest model and wait until it answers."""
    log_path = project / f"rasa-{port}.log"
    rasa = rasa.absolute()  # the server runs inside the project directory
    cmd = [str(rasa), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "-m", "models"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, cwd=project, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    server = RasaServer(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BackendUnavailable(f"rasa server exited ({process.returncode}); see {log_path}")
        try:
            if httpx.get(f"{server.url}/status", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(1)
    server.stop()
    raise BackendUnavailable(f"rasa server not ready after {ready_timeout:.0f}s; see {log_path}")
