"""Mailbox (信箱): citizens' e-mail read from IMAP, and the mayor's-mailbox web letter form.

POST /channels/mailbox/letters   the web letter (form or JSON); answers with the outcome like the web chat.
IMAP polling runs in each process that sets the channel up while HOTLINE_MAILBOX_POLL is true (default):
`hotline serve`, or a worker that calls `setup(app, services)`; a shared lock in the dedup store lets one
process poll per interval. Replies go out by SMTP threaded under the citizen's mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from channels.base import ChannelServices
from channels.errors import ChannelDisabled, MalformedBody, UnsupportedMedia
from channels.guards import enforce_rate, refuse_placeholders
from channels.jsonbody import load_json
from channels.mailbox.channel import CHANNEL, MailboxChannel
from channels.mailbox.letters import letter_from_form, message_from_letter
from channels.mailbox.settings import MailboxSettings

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "MailboxChannel", "MailboxSettings", "router", "setup"]


def load_settings() -> MailboxSettings:
    return MailboxSettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not (settings.imap_enabled or settings.letters_enabled):
        log.info("channel mailbox disabled: set HOTLINE_MAILBOX_IMAP_HOST/USER/PASSWORD or LETTERS_ENABLED")
        return
    refuse_placeholders(
        app,
        CHANNEL,
        {
            "HOTLINE_MAILBOX_IMAP_PASSWORD": settings.imap_password.get_secret_value(),
            "HOTLINE_MAILBOX_SMTP_PASSWORD": settings.smtp_password.get_secret_value(),
        },
    )
    data_dir = getattr(getattr(app.state, "settings", None), "data_dir", None)
    attachments_dir = settings.attachments_dir or Path(data_dir or "var") / "attachments"
    channel = MailboxChannel(settings, services, attachments_dir, getattr(app.state, "sms_outbound", None))
    app.state.mailbox = channel
    services.register_sender(CHANNEL, channel.deliver)
    if channel.mailbox is not None and settings.poll:
        stop = asyncio.Event()
        task = asyncio.create_task(channel.run(stop), name="mailbox-poller")

        async def stop_polling() -> None:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=settings.timeout_seconds)

        services.on_shutdown(stop_polling)
    log.info(
        "channel mailbox enabled: imap %s, smtp %s, letters %s",
        "polling" if channel.mailbox is not None else "off",
        "on" if settings.smtp_enabled else "off",
        "on" if settings.letters_enabled else "off",
    )


router = APIRouter(prefix="/channels/mailbox", tags=["channel: mailbox"])


@router.post("/letters", summary="Submit a mayor's-mailbox letter (form or JSON)")
async def submit_letter(request: Request) -> dict[str, Any]:
    channel: MailboxChannel | None = getattr(request.app.state, "mailbox", None)
    if channel is None or not channel.settings.letters_enabled:
        raise ChannelDisabled("the web letter form is not enabled (HOTLINE_MAILBOX_LETTERS_ENABLED)")
    data = await _form_or_json(request)
    letter = letter_from_form(data, channel.settings.letter_max_chars)
    message = message_from_letter(letter)
    await enforce_rate(channel.services, CHANNEL, message.sender, channel.settings.rate_limit_per_minute)
    outcome = await channel.services.intake.submit(message, channel.settings.letter_reply_budget_seconds)
    return {
        "letter_id": message.external_id.split(":", 1)[1],
        "replies": [reply.to_dict() for reply in outcome.replies],
        "emergency": outcome.emergency,
        "work_order": outcome.work_order,
        "pending": outcome.pending,
    }


async def _form_or_json(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        payload = load_json(await request.body())
        if not isinstance(payload, dict):
            raise MalformedBody("body must be a JSON object")
        return payload
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=0, max_fields=20)
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raise UnsupportedMedia("send the letter as a form or as JSON")
