"""Real mail servers for tests: Debian's dovecot (IMAP) in a temp dir on a free port, aiosmtpd (SMTP).

Missing dovecot skips the test with the install line, or fails when HOTLINE_REQUIRE_SERVICES=1.
Set-up for CI: `apt-get install -y dovecot-imapd` (the package's own service need not run).
"""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import services_required
from tests.support.processes import free_port as free_port  # re-exported: mail tests import it from here


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        connection = imaplib.IMAP4(self.host, self.port)
        try:
            connection.login(self.user, self.password)
            status, _ = connection.append(folder, None, None, raw)
            assert status == "OK"
        finally:
            connection.logout()

    def keywords(self, folder: str = "INBOX") -> list[bytes]:
        connection = imaplib.IMAP4(self.host, self.port)
        try:
            connection.login(self.user, self.password)
            connection.select(folder)
            _, data = connection.uid("FETCH", "1:*", "(FLAGS)")
            return [item for item in data if isinstance(item, bytes)]
        finally:
            connection.logout()


_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
{login_users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        reason = "dovecot is not installed (apt-get install -y dovecot-imapd)"
        if services_required():
            pytest.fail(reason + " (HOTLINE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    # Not pytest's tmp_path: dovecot's mail processes must be able to reach the directory.
    root = Path(tempfile.mkdtemp(prefix="hotline-dovecot-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        # Dovecot refuses uid 0 for mail access: mail is owned by nobody.
        uid = gid = 65534
        login_users = ""
    else:
        uid, gid = os.getuid(), os.getgid()
        me = os.environ.get("USER") or "nobody"
        login_users = f"default_login_user = {me}\ndefault_internal_user = {me}"
    for folder in ("mail", "home"):
        (root / folder).mkdir()
        if os.geteuid() == 0:
            os.chown(root / folder, uid, gid)
    port = free_port()
    (root / "users").write_text("hotline:{PLAIN}mailbox-test-pass\n")
    config = root / "dovecot.conf"
    config.write_text(_CONFIG.format(root=root, uid=uid, gid=gid, port=port, login_users=login_users))
    # Foreground (-F): the test owns the process and ends it by its pid.
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("dovecot did not start: " + (root / "dovecot.log").read_text()) from None
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, "hotline", "mailbox-test-pass")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
