"""The mayor's-mailbox web letter (市长信箱): a form that enters the same pipeline as every message.

POST /channels/mailbox/letters, as a form (application/x-www-form-urlencoded or multipart) or JSON:
title, content, phone (required), name, email (optional), public ("1"/"true": may be published),
letter_id (optional idempotency key; without it, the same letter submitted twice is still one letter).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from channels.base import Message
from channels.errors import InvalidPayload
from channels.render import clean
from channels.sms.numbers import normalise

CHANNEL = "mailbox"
# One plain address; no display names, lists or header-breaking characters.
_Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s<>\"',;:()\[\]]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
]
_LetterId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class LetterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1)
    phone: str = Field(min_length=5, max_length=32)
    name: str = Field(default="", max_length=50)
    email: _Email | None = None
    public: bool = False
    letter_id: _LetterId | None = None


def letter_from_form(data: dict[str, Any], max_chars: int) -> LetterIn:
    # An empty form field means "not given" (browsers send unchecked boxes and blank inputs as "").
    fields = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        letter = LetterIn.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise InvalidPayload(problems) from error
    if len(letter.content) > max_chars:
        raise InvalidPayload(f"content has {len(letter.content)} characters; the limit is {max_chars}")
    return letter


def message_from_letter(letter: LetterIn, region: str = "CN") -> Message:
    phone = normalise(letter.phone, region)
    title, content = clean(letter.title), clean(letter.content)
    if not content:
        raise InvalidPayload("content: must not be empty")
    key = letter.letter_id or hashlib.sha256(f"{phone}\n{title}\n{content}".encode()).hexdigest()[:32]
    raw = json.dumps(letter.model_dump(mode="json"), ensure_ascii=False)
    meta = {
        "source": "letter",
        "title": title,
        "public": "1" if letter.public else "0",
        "confidential": "0" if letter.public else "1",
    }
    if letter.name:
        meta["name"] = clean(letter.name)
    if letter.email:
        meta["email"] = str(letter.email)
    return Message(
        channel=CHANNEL,
        external_id=f"letter:{key}",
        session_key=f"letter:{key}",
        sender=phone,
        text=f"{title}\n{content}",
        raw=raw,
        contact=phone,
        meta=meta,
    )
