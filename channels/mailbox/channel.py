"""The mailbox channel at run time: mail and letters in, replies out by SMTP (or SMS for letters)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from pathlib import Path

from anyio import to_thread

from channels.base import ChannelServices, Message, Outcome, Recipient
from channels.errors import ChannelError, UpstreamError
from channels.guards import mask, within_rate
from channels.mailbox import attachments, smtp
from channels.mailbox.imap import FetchedMail, ImapMailbox
from channels.mailbox.mime import ParsedMail, parse_mail
from channels.mailbox.settings import MailboxSettings
from channels.render import Capabilities, outcome_text
from channels.sms.outbound import SmsOutbound

log = logging.getLogger(__name__)

CHANNEL = "mailbox"
CAPABILITIES = Capabilities(buttons=False)
_SENT_TTL_SECONDS = 30 * 24 * 3600
_AUTOMATED_SENDERS = ("mailer-daemon@", "postmaster@", "no-reply@", "noreply@")


class MailboxChannel:
    def __init__(
        self, settings: MailboxSettings, services: ChannelServices, attachments_dir: Path, sms: SmsOutbound | None
    ) -> None:
        self.settings = settings
        self.services = services
        self.attachments_dir = attachments_dir
        self.sms = sms
        self.mailbox = ImapMailbox(settings) if settings.imap_enabled else None

    # --- mail in ------------------------------------------------------------------------------------

    def message_from_mail(self, raw: bytes) -> Message | None:
        """None for mail that must never be answered (bounces, auto-replies, lists): no mail loops."""
        parsed = parse_mail(
            raw, self.settings.max_attachments, self.settings.max_attachment_bytes, self.settings.max_text_chars
        )
        if _automated(raw, parsed):
            log.info("mailbox: skipping automated mail from %s", mask(parsed.from_address))
            return None
        stored = [str(attachments.store(self.attachments_dir, item)) for item in parsed.attachments]
        external_id = parsed.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()[:40]
        subject = parsed.subject
        text = parsed.text if subject.lower().startswith(("re:", "回复", "答复")) else f"{subject}\n{parsed.text}"
        meta = {
            "source": "email",
            "reply_to": parsed.reply_to,
            "subject": subject,
            "message_id": parsed.message_id,
            "references": " ".join(parsed.references)[:4000],
        }
        if stored:
            meta["attachments"] = json.dumps(stored, ensure_ascii=False)
        if parsed.html_only:
            meta["html_only"] = "1"
        return Message(
            channel=CHANNEL,
            external_id=external_id[:250],
            session_key=parsed.thread_root[:250] or external_id[:250],
            sender=parsed.from_address,
            text=text.strip() or subject or "（空白来信）",
            raw=raw.decode("utf-8", errors="replace"),
            contact=parsed.reply_to,
            meta=meta,
        )

    async def accept(self, fetched: FetchedMail) -> None:
        if fetched.header_only:
            await self._refuse_oversized(fetched)
            return
        message = await to_thread.run_sync(self.message_from_mail, fetched.raw)
        if message is None:
            return
        if not await within_rate(self.services, CHANNEL, message.sender, self.settings.rate_limit_per_minute):
            log.warning("mailbox: %s over the rate limit; mail left for the next poll", mask(message.sender))
            raise _Later()
        outcome = await self.services.intake.submit(message, self.settings.reply_budget_seconds)
        if not outcome.pending:
            await self.deliver(recipient_of(message), outcome)

    async def _refuse_oversized(self, fetched: FetchedMail) -> None:
        parsed = parse_mail(fetched.raw + b"\r\n\r\n", 0, 0, 100)
        limit_mb = self.settings.max_mail_bytes // (1024 * 1024)
        text = f"您的来信超过{limit_mb}MB，未能受理。请删减附件后重新发送，或拨打12345热线。"
        key = parsed.message_id or f"uid:{fetched.uid}"
        await self._send_mail_once(key, parsed.reply_to, parsed.subject, text, parsed.message_id, parsed.references)

    async def poll_once(self) -> int:
        """Read what is new, hand each mail to the pipeline, then mark it; returns how many were taken."""
        if self.mailbox is None:
            return 0
        fetched = await to_thread.run_sync(self.mailbox.fetch_unprocessed)
        done: list[int] = []
        for mail in fetched:
            try:
                await self.accept(mail)
                done.append(mail.uid)
            except _Later:
                continue
            except ChannelError as error:
                # Unreadable for good (no From, empty): mark it so it is not read forever; staff see it in IMAP.
                log.warning("mailbox: mail uid %s refused: %s", mail.uid, error.detail)
                done.append(mail.uid)
            except Exception:
                log.exception("mailbox: mail uid %s failed; it is read again at the next poll", mail.uid)
        await to_thread.run_sync(self.mailbox.mark_processed, done)
        return len(done)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll forever; a shared lock (one TTL key) lets only one gateway process poll per interval."""
        interval = self.settings.poll_seconds
        while not stop.is_set():
            if await self.services.dedup.first_seen(f"{CHANNEL}:poll_lock", max(int(interval), 1)):
                try:
                    await self.poll_once()
                except Exception:
                    log.warning("mailbox: poll failed; retrying in %.0f s", interval, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    # --- replies out --------------------------------------------------------------------------------

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        text = outcome_text(outcome, CAPABILITIES)
        meta = recipient.meta
        if meta.get("source") == "email":
            references = meta.get("references", "").split()
            await self._send_mail_once(
                recipient.external_id,
                meta.get("reply_to") or recipient.sender,
                meta.get("subject", ""),
                text,
                meta.get("message_id", ""),
                references,
            )
            return
        title = meta.get("title", "")
        if meta.get("email"):
            await self._send_mail_once(recipient.external_id, meta["email"], f"关于您的来信《{title}》的答复", text)
            return
        sms = self.sms
        if sms is not None and recipient.contact:
            sent_key = f"{CHANNEL}:sent:{recipient.external_id}"
            if not await self.services.dedup.first_seen(sent_key, _SENT_TTL_SECONDS):
                return
            try:
                await sms.send(recipient.contact, text)
            except Exception:
                # The marker must not outlive a failed send, or the reconciler's retry would be skipped.
                await self._forget(sent_key)
                raise
            return
        log.info("mailbox: letter %s answered on the web page only", recipient.external_id)

    async def _send_mail_once(
        self,
        key: str,
        to_address: str,
        subject: str,
        text: str,
        in_reply_to: str = "",
        references: list[str] | None = None,
    ) -> None:
        if not self.settings.smtp_enabled:
            log.warning("mailbox: no SMTP configured; reply to %s kept in the inbox", mask(to_address))
            return
        sent_key = f"{CHANNEL}:sent:{key}"
        if not await self.services.dedup.first_seen(sent_key, _SENT_TTL_SECONDS):
            return
        message = smtp.build_reply(self.settings, to_address, subject, text, in_reply_to, references)
        try:
            await to_thread.run_sync(smtp.send, self.settings, message)
        except OSError as error:
            await self._forget(sent_key)
            raise UpstreamError(f"SMTP send failed: {type(error).__name__}") from error

    async def _forget(self, key: str) -> None:
        forget = getattr(self.services.dedup, "forget", None)
        if forget is not None:
            await forget(key)


class _Later(Exception):
    """Leave this mail unmarked: it is read again at the next poll."""


def _automated(raw: bytes, parsed: ParsedMail) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    if b"\nauto-submitted:" in head and b"auto-submitted: no" not in head:
        return True
    if any(
        marker in head
        for marker in (
            b"\nprecedence: bulk",
            b"\nprecedence: junk",
            b"\nprecedence: list",
            b"\nlist-id:",
            b"\nx-autoreply:",
            b"\nx-autorespond:",
        )
    ):
        return True
    return parsed.from_address.startswith(_AUTOMATED_SENDERS)


def recipient_of(message: Message) -> Recipient:
    return Recipient(message.channel, message.sender, message.external_id, message.contact, dict(message.meta))
