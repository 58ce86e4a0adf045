"""MIME mail to plain data: decoded headers, the citizen's own words, attachments.

Chinese mail arrives declared as GB2312 while holding GBK or GB18030 characters, as Big5 with HKSCS
characters, or without any charset; each declared charset is read with its superset. HTML-only mail is
turned into text; quoted replies and signatures of the common Chinese and English mail clients are cut.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.message import Message as MimeMessage
from email.utils import getaddresses, parseaddr

from channels.errors import InvalidPayload
from channels.mailbox.htmltext import html_to_text

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
# Tried in order when a part declares nothing or something unknown.
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")

_QUOTE_MARKERS = re.compile(
    r"^\s*(-{2,}\s*(原始邮件|Original Message|原始郵件|Forwarded message|转发邮件)\s*-{2,}"
    r"|在\s*.{4,80}(写道|寫道)\s*[:：]\s*$"
    r"|On .{4,200} wrote:\s*$"
    r"|发件人\s*[:：]|寄件者\s*[:：]|From:\s.*@"
    r"|_{8,}\s*$)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(--|—— ?)\s*$|^(发自我的|來自我的|Sent from my)")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    reply_to: str
    date: str
    in_reply_to: str
    references: list[str]
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    html_only: bool = False

    @property
    def thread_root(self) -> str:
        """The first message of the conversation: what keeps one thread in one session."""
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.message_id


def codec_for(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    return _SUPERSETS.get(name, name)


def decode_bytes(data: bytes, charset: str | None) -> str:
    codec = codec_for(charset)
    if codec:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    for fallback in _FALLBACKS:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace")


def decode_header_value(value: object) -> str:
    """RFC 2047 encoded words (=?GB2312?B?...?=) with charset supersets; raw 8-bit headers guessed."""
    if value is None or value == "":
        return ""
    parts = []
    # A Header object (8-bit input under compat32) holds raw bytes tagged unknown-8bit: guessed below.
    for chunk, charset in decode_header(value if isinstance(value, Header) else str(value)):
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, None if charset == "unknown-8bit" else charset))
        else:
            parts.append(chunk)
    text = "".join(parts)
    # Folded headers and control characters never reach a reply header (header injection).
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]{1,250}>", value or "")


def parse_mail(raw: bytes, max_attachments: int, max_attachment_bytes: int, max_text_chars: int) -> ParsedMail:
    if not raw.strip():
        raise InvalidPayload("empty mail")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    from_name, from_address = parseaddr(decode_header_value(message.get("From")))
    reply_pairs = getaddresses([decode_header_value(message.get("Reply-To"))])
    reply_to = next((address for _, address in reply_pairs if "@" in address), "") or from_address
    if "@" not in from_address:
        raise InvalidPayload("mail has no usable From address")
    plain, html, attachments = _walk(message, max_attachments, max_attachment_bytes)
    html_only = not plain and bool(html)
    body = plain or html_to_text(html)
    text = strip_quoted(body)[:max_text_chars]
    message_ids = _message_ids(str(message.get("Message-ID", "")))
    return ParsedMail(
        message_id=message_ids[0] if message_ids else "",
        subject=decode_header_value(message.get("Subject"))[:300],
        from_address=from_address.lower()[:254],
        from_name=from_name[:100],
        reply_to=reply_to.lower()[:254],
        date=str(message.get("Date", ""))[:100],
        in_reply_to=(_message_ids(str(message.get("In-Reply-To", ""))) or [""])[0],
        references=_message_ids(str(message.get("References", "")))[:50],
        text=text,
        attachments=attachments,
        html_only=html_only,
    )


def _walk(message: MimeMessage, max_attachments: int, max_bytes: int) -> tuple[str, str, list[Attachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if disposition == "attachment" or (filename and not content_type.startswith("text/")):
            if len(attachments) < max_attachments and 0 < len(data) <= max_bytes:
                name = decode_header_value(filename) if filename else ""
                attachments.append(Attachment(name, content_type, data))
            continue
        if content_type == "text/plain":
            plain.append(decode_bytes(data, part.get_content_charset()))
        elif content_type == "text/html":
            html.append(decode_bytes(data, part.get_content_charset()))
    return "\n".join(plain).strip(), "\n".join(html), attachments


def strip_quoted(text: str) -> str:
    """The citizen's new words only: cut at the first quote header or signature, drop '>' lines."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _QUOTE_MARKERS.match(line) or _SIGNATURE.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
