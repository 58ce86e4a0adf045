"""Sending SMS: opt-out list, length rules, one send per inbound message, the configured provider.

Other channels use this too (`app.state.sms_outbound.send(phone, text)`): the WeChat fallback when the
customer-service quota is used up, and replies to web letters that left only a phone number.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from channels.base import ChannelServices, Outcome, Recipient
from channels.errors import UpstreamError
from channels.guards import mask
from channels.render import Capabilities, outcome_text, utf16_len
from channels.sms import segments
from channels.sms.numbers import normalise
from channels.sms.settings import SmsSettings

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(buttons=False)
_SENT_TTL_SECONDS = 7 * 24 * 3600


class Sender(Protocol):
    async def send(self, phone_e164: str, text: str) -> None: ...


class SmsOutbound:
    def __init__(self, settings: SmsSettings, services: ChannelServices, provider: Sender | None) -> None:
        self.settings = settings
        self.services = services
        self.provider = provider

    def _opt_out_key(self, phone: str) -> str:
        return f"sms:opt_out:{phone}"

    async def opt_out(self, phone: str) -> None:
        await self.services.sessions.set(
            self._opt_out_key(phone), {"opted_out": True}, self.settings.opt_out_days * 24 * 3600
        )
        log.info("sms: %s opted out", mask(phone))

    async def opted_out(self, phone: str) -> bool:
        return bool(await self.services.sessions.get(self._opt_out_key(phone)))

    def parts(self, text: str) -> list[str]:
        if self.settings.long_messages == "split":
            return segments.split(text, self.settings.sign_name, self.settings.max_parts)
        return [segments.concatenated(text, self.settings.sign_name, self.settings.max_parts)]

    def limit(self) -> int:
        """UTF-16 units the text of one reply may take (signature, part headers and counters excluded)."""
        sign = segments.sign_units(self.settings.sign_name)
        parts = self.settings.max_parts
        if self.settings.long_messages == "split":
            return (segments.SINGLE - sign - len(f"({parts}/{parts})")) * parts
        return (segments.SINGLE if parts == 1 else segments.PART * parts) - sign

    def text_of(self, outcome: Outcome) -> str:
        """The outcome as one SMS text; a knowledge answer too long for it loses body lines, never its
        source, validity or feedback question (cutting the end would drop exactly those)."""
        from knowledge.render import fit_answer_text

        text = outcome_text(outcome, CAPABILITIES)
        excess = utf16_len(text) - self.limit()
        if excess <= 0:
            return text
        replies = []
        for reply in outcome.replies:
            if reply.kind == "answer" and excess > 0:
                fitted = fit_answer_text(reply.text, max(0, utf16_len(reply.text) - excess))
                excess -= utf16_len(reply.text) - utf16_len(fitted)
                reply = replace(reply, text=fitted)
            replies.append(reply)
        return outcome_text(replace(outcome, replies=tuple(replies)), CAPABILITIES)

    async def send(self, phone: str, text: str) -> bool:
        """Send text to a number unless it opted out; false when nothing was sent."""
        number = normalise(phone, self.settings.default_region)
        if await self.opted_out(number):
            log.info("sms: not sending to %s (opted out)", mask(number))
            return False
        if self.provider is None:
            log.warning("sms: no outbound provider configured (HOTLINE_SMS_OUTBOUND); reply to %s kept", mask(number))
            return False
        for part in self.parts(text):
            await self.provider.send(number, part)
        return True

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        """Send a reply. As the registered late-reply sender it runs under the inbox's push claim (once per
        message, retried by the reconciler if the process dies), so no Redis marker may stop a retried push."""
        await self.send(recipient.contact or recipient.sender, self.text_of(outcome))

    async def deliver_ready(self, recipient: Recipient, outcome: Outcome) -> None:
        """A reply ready within the budget: every retry of the MO push gets it, so send it for the first only."""
        key = f"sms:sent:{recipient.external_id}"
        if not await self.services.dedup.first_seen(key, _SENT_TTL_SECONDS):
            return
        try:
            await self.deliver(recipient, outcome)
        except UpstreamError:
            # Let a later attempt (provider retry of the MO push, reconciler) send it.
            forget = getattr(self.services.dedup, "forget", None)
            if forget is not None:
                await forget(key)
            raise
