"""Mailbox channel settings (HOTLINE_MAILBOX_*): IMAP to read, SMTP to answer, the web letter form."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_MAILBOX_", env_file=".env", extra="ignore")

    imap_host: str = ""
    imap_port: int = 993
    # ssl: IMAPS (993); starttls: plain connect then STARTTLS; plain: loopback test servers only.
    imap_security: str = Field(default="ssl", pattern="^(ssl|starttls|plain)$")
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_folder: str = "INBOX"
    # Set on each mail once it is in the inbox table; survives restarts because the IMAP server keeps it.
    processed_keyword: str = Field(default="HotlineDone", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
    poll_seconds: float = Field(default=30.0, gt=0)
    # Run the IMAP poller in every process that sets the channel up (`hotline serve`, and `hotline worker`
    # once it sets channels up); a shared lock lets one process poll per interval, so several are safe.
    poll: bool = True
    fetch_batch: int = Field(default=20, gt=0, le=500)

    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = Field(default="ssl", pattern="^(ssl|starttls|plain)$")
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    from_address: str = ""
    from_name: str = "12345政务服务便民热线"
    timeout_seconds: float = Field(default=20.0, gt=0)

    max_mail_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_attachments: int = Field(default=10, ge=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    # Empty means <data_dir>/attachments.
    attachments_dir: Path | None = None
    reply_budget_seconds: float = Field(default=0.0, ge=0, le=30)
    rate_limit_per_minute: int = Field(default=10, gt=0)

    # The mayor's-mailbox web letter form (no credentials: it is a citizen endpoint like the web chat).
    letters_enabled: bool = True
    letter_reply_budget_seconds: float = Field(default=8.0, ge=0, le=30)
    letter_max_chars: int = Field(default=10_000, gt=0)

    @property
    def imap_enabled(self) -> bool:
        return bool(self.imap_host and self.imap_user and self.imap_password.get_secret_value())

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.from_address)
