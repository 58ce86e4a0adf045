"""Reading the mailbox over IMAP, by UID, with a keyword on each mail once it is in the inbox table.

The keyword lives on the IMAP server, so nothing is read twice across restarts or gateway processes, and
nothing is lost: a mail is marked only after its inbox row exists (a crash in between means one more read,
which the inbox's unique (channel, Message-ID) turns into nothing). Blocking imaplib; callers use a thread.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass

from channels.mailbox.settings import MailboxSettings

_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes
    # Over the size limit: only the header was read.
    header_only: bool = False


class ImapMailbox:
    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        connection: imaplib.IMAP4
        if s.imap_security == "ssl":
            connection = imaplib.IMAP4_SSL(
                s.imap_host, s.imap_port, ssl_context=ssl.create_default_context(), timeout=s.timeout_seconds
            )
        else:
            connection = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=s.timeout_seconds)
            if s.imap_security == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(s.imap_user, s.imap_password.get_secret_value())
        status, _ = connection.select(_quoted(s.imap_folder))
        if status != "OK":
            connection.logout()
            raise imaplib.IMAP4.error(f"cannot select folder {s.imap_folder!r}")
        return connection

    def fetch_unprocessed(self) -> list[FetchedMail]:
        """Up to fetch_batch mails without the processed keyword, oldest UID first."""
        connection = self._connect()
        try:
            status, data = connection.uid("SEARCH", "UNDELETED", "UNKEYWORD", self.settings.processed_keyword)
            if status != "OK":
                raise imaplib.IMAP4.error("UID SEARCH failed")
            uids = sorted(int(uid) for uid in (data[0] or b"").split())[: self.settings.fetch_batch]
            if not uids:
                return []
            sizes = self._sizes(connection, uids)
            return [self._fetch(connection, uid, sizes.get(uid, 0)) for uid in uids]
        finally:
            _logout(connection)

    def mark_processed(self, uids: list[int]) -> None:
        if not uids:
            return
        connection = self._connect()
        try:
            joined = ",".join(str(uid) for uid in uids)
            status, _ = connection.uid("STORE", joined, "+FLAGS", f"({self.settings.processed_keyword})")
            if status != "OK":
                raise imaplib.IMAP4.error("UID STORE of the processed keyword failed")
        finally:
            _logout(connection)

    def _sizes(self, connection: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
        status, data = connection.uid("FETCH", ",".join(str(uid) for uid in uids), "(RFC822.SIZE)")
        sizes: dict[int, int] = {}
        if status != "OK":
            return sizes
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            match = _SIZE.search(line)
            if match:
                uid, size = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
                sizes[int(uid)] = int(size)
        return sizes

    def _fetch(self, connection: imaplib.IMAP4, uid: int, size: int) -> FetchedMail:
        header_only = size > self.settings.max_mail_bytes
        # PEEK: reading does not set \Seen, so staff using the same mailbox still see what is new.
        part = "BODY.PEEK[HEADER]" if header_only else "BODY.PEEK[]"
        status, data = connection.uid("FETCH", str(uid), f"({part})")
        raw = b""
        if status == "OK":
            for item in data:
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                    raw = item[1]
                    break
        return FetchedMail(uid=uid, raw=raw, header_only=header_only)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(connection: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        connection.logout()
