"""The model registry: versioned model directories, the promoted version, promotion history and rollback.

Layout under a model directory (e.g. `$HOTLINE_DATA_DIR/models/classifier`):

    versions/<version>/metadata.json    backend, data hash, counts, metrics, training time
    versions/<version>/<backend files>
    registry.json                       {"current": "<version>", "history": ["<older>", ...]}

registry.json is replaced atomically (write + rename), so any process reading it sees either the old
or the new promotion. Processes switch without restart: the gateway publishes `PROMOTION_CHANNEL` on its
pub/sub after a promotion and every process calls `reload_if_changed()` (also cheap to call per request).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier.errors import ModelLoadError, ModelNotFound

PROMOTION_CHANNEL = "classifier:model-promoted"
REGISTRY_FILE = "registry.json"
METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class ModelInfo:
    version: str
    path: Path
    metadata: dict[str, Any]
    current: bool

    def summary(self) -> dict[str, Any]:
        m = self.metadata
        return {
            "version": self.version,
            "current": self.current,
            "backend": m.get("backend"),
            "created": m.get("created"),
            "examples": (m.get("counts") or {}).get("examples"),
            "data_hash": m.get("data_hash"),
            "eval": m.get("eval"),
            "train_seconds": m.get("train_seconds"),
        }


class ModelRegistry:
    def __init__(self, model_dir: Path) -> None:
        self.model_dir = Path(model_dir)
        self._lock = threading.Lock()
        self._loaded: Any = None  # the Classifier of _loaded_version (typed Any to avoid an import cycle)
        self._loaded_version: str | None = None

    # -- reading -------------------------------------------------------------------------------------
    @property
    def versions_dir(self) -> Path:
        return self.model_dir / "versions"

    def _state(self) -> dict[str, Any]:
        path = self.model_dir / REGISTRY_FILE
        if not path.exists():
            return {"current": None, "history": []}
        try:
            state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelLoadError(f"cannot read {path}: {exc}") from exc
        return state

    def current_version(self) -> str | None:
        current = self._state().get("current")
        return str(current) if current else None

    def history(self) -> list[str]:
        return [str(v) for v in self._state().get("history", [])]

    def path_of(self, version: str) -> Path:
        path = self.versions_dir / version
        if not (path / METADATA_FILE).exists():
            raise ModelNotFound(f"no model version {version!r} in {self.versions_dir}")
        return path

    def metadata(self, version: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path_of(version) / METADATA_FILE).read_text(encoding="utf-8"))
        return data

    def list(self) -> list[ModelInfo]:
        if not self.versions_dir.exists():
            return []
        current = self.current_version()
        out = []
        for path in sorted(self.versions_dir.iterdir()):
            if (path / METADATA_FILE).exists():
                meta = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
                out.append(ModelInfo(path.name, path, meta, path.name == current))
        return out

    # -- writing -------------------------------------------------------------------------------------
    def new_version_dir(self, tag: str) -> tuple[str, Path]:
        """A fresh, unique version directory (timestamp + short tag) to write a trained model into."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        version = f"{stamp}-{tag}"
        n = 1
        while (self.versions_dir / version).exists():
            n += 1
            version = f"{stamp}-{tag}-{n}"
        path = self.versions_dir / version
        path.mkdir(parents=True)
        return version, path

    def write_metadata(self, version: str, metadata: dict[str, Any]) -> None:
        path = self.versions_dir / version / METADATA_FILE
        path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")

    def set_current(self, version: str) -> None:
        """Make `version` current, pushing the previous one on the history (used by promote/rollback)."""
        self.path_of(version)
        with self._lock:
            state = self._state()
            previous = state.get("current")
            history = [v for v in state.get("history", []) if v != version]
            if previous and previous != version:
                history.append(previous)
            self._write_state({"current": version, "history": history[-50:]})

    def pop_previous(self) -> str:
        """Roll back: the last promoted version becomes current again; the current one is dropped."""
        with self._lock:
            state = self._state()
            history = list(state.get("history", []))
            while history:
                candidate = history.pop()
                if (self.versions_dir / candidate / METADATA_FILE).exists():
                    self._write_state({"current": candidate, "history": history})
                    return str(candidate)
            raise ModelNotFound("no earlier promoted version to roll back to")

    def delete(self, version: str) -> None:
        if version == self.current_version():
            raise ModelLoadError(f"refusing to delete the current model {version}")
        shutil.rmtree(self.path_of(version))

    def _write_state(self, state: dict[str, Any]) -> None:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.model_dir / f".{REGISTRY_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.model_dir / REGISTRY_FILE)

    # -- serving -------------------------------------------------------------------------------------
    def load_current(self) -> Any:
        """The promoted Classifier (cached); raises ModelNotFound when nothing is promoted."""
        from classifier.persistence import load_version

        version = self.current_version()
        if version is None:
            raise ModelNotFound(f"no promoted classifier model in {self.model_dir} (run `hotline train`)")
        if self._loaded_version == version:
            return self._loaded
        # Load outside the lock: requests keep using the previous model until the swap.
        classifier = load_version(self.path_of(version))
        with self._lock:
            self._loaded, self._loaded_version = classifier, version
        return classifier

    def reload_if_changed(self) -> bool:
        """Load the promoted version if it differs from the one in memory; True when it switched.

        Call it on a pub/sub message on PROMOTION_CHANNEL (or periodically); the old model keeps serving
        until the new one is fully loaded.
        """
        version = self.current_version()
        if version is None or version == self._loaded_version:
            return False
        self.load_current()
        return True
