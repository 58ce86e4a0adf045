"""Logging: plain or JSON lines, and personal data masked in every record."""

from __future__ import annotations

import json
import logging
from typing import Any

_configured = False


class MaskingFilter(logging.Filter):
    """Masks phone, ID and address fragments in the final message before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        import nlu

        message = record.getMessage()
        masked = nlu.mask_pii(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # Tracebacks carry SQL parameters and payloads: format once, masked, and let handlers reuse it.
            record.exc_text = nlu.mask_pii(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = nlu.mask_pii(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        from gateway.observability import request_id

        data["request_id"] = request_id.get()
        for key in ("inbound_id", "conversation_id"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_text:
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "INFO", as_json: bool = False) -> None:
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("jieba").setLevel(logging.WARNING)
    # httpx logs every request URL at INFO; provider APIs carry access tokens and phone numbers in them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    _configured = True
