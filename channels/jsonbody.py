"""JSON request bodies: UTF-8 only, and nesting bombs refused as bad input rather than crashing the parser."""

from __future__ import annotations

import json
from typing import Any

from channels.errors import MalformedBody


def load_json(body: bytes, what: str = "body") -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise MalformedBody(f"{what} is not valid UTF-8 (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise MalformedBody(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except RecursionError as error:
        # '[[[[…' 60 000 deep fits in any size limit and exhausts the parser's stack.
        raise MalformedBody(f"{what} nests too deeply") from error
