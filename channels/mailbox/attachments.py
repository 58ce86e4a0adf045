"""Attachments stored on disk under content-addressed folders with names that cannot escape them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from channels.mailbox.mime import Attachment

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_MAX_NAME = 120


def safe_name(name: str, fallback: str = "attachment") -> str:
    """'../../etc/passwd' -> 'passwd'; '..\\\\boot.ini' -> 'boot.ini'; '投诉材料.pdf' stays; never empty."""
    normalised = unicodedata.normalize("NFC", name or "")
    base = re.split(r"[/\\]", normalised)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base or base.split(".")[0].lower() in _RESERVED:
        base = f"{fallback}_{base}" if base else fallback
    if len(base) > _MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        suffix = suffix[:16] if dot else ""
        base = (stem if dot else base)[: _MAX_NAME - len(suffix) - 1] + (f".{suffix}" if suffix else "")
    return base


def store(directory: Path, attachment: Attachment) -> Path:
    """Write under <dir>/<sha256[:2]>/<sha256[:16]>/<safe name>; the same file twice is stored once."""
    digest = hashlib.sha256(attachment.data).hexdigest()
    folder = directory / digest[:2] / digest[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(attachment.filename, fallback=f"attachment_{digest[:8]}")
    root = directory.resolve()
    if root not in target.resolve().parents:
        raise ValueError("attachment path escapes the attachments directory")
    if not target.exists():
        target.write_bytes(attachment.data)
    return target
