"""Replies by SMTP with threading headers, so the citizen's mail client shows one conversation."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from channels.mailbox.settings import MailboxSettings

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def reply_subject(subject: str) -> str:
    clean = _CONTROL.sub(" ", subject).strip() or "您的来信"
    return clean if re.match(r"^(re|回复|答复)\s*[:：]", clean, re.IGNORECASE) else f"Re: {clean}"


def build_reply(
    settings: MailboxSettings,
    to_address: str,
    subject: str,
    text: str,
    in_reply_to: str = "",
    references: list[str] | None = None,
) -> EmailMessage:
    """A UTF-8 reply; In-Reply-To is the citizen's mail, References the whole chain plus it."""
    if _CONTROL.search(to_address) or "@" not in to_address:
        raise ValueError("recipient address is not a single address")
    domain = settings.from_address.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = formataddr((settings.from_name, settings.from_address))
    message["To"] = to_address
    message["Subject"] = reply_subject(subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=domain)
    chain = [ref for ref in (references or []) if ref]
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        if in_reply_to not in chain:
            chain.append(in_reply_to)
    if chain:
        message["References"] = " ".join(chain[-20:])
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(text, charset="utf-8")
    return message


def send(settings: MailboxSettings, message: EmailMessage) -> None:
    """Blocking send; callers run it in a thread."""
    timeout = settings.timeout_seconds
    client: smtplib.SMTP
    if settings.smtp_security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        client.send_message(message)
