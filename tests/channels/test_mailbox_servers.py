"""The mailbox against a real IMAP server (dovecot) and a real SMTP server (aiosmtpd), and the letter form."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels import mailbox
from channels.base import Outcome, Recipient, Reply
from channels.mailbox.channel import MailboxChannel
from channels.mailbox.settings import MailboxSettings
from tests.channels.conftest import Kit, make_kit
from tests.channels.mailservers import ImapServer, SmtpSink, dovecot, smtp_sink
from tests.channels.test_mailbox_mime import ATTACHMENTS, BIG5_MAIL, GB2312_MAIL, QUOTED_REPLY, mail


@pytest.fixture(scope="module")
def imap() -> Iterator[ImapServer]:
    with dovecot() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_sink() as sink:
        yield sink


def settings_for(imap: ImapServer, smtp: SmtpSink, folder: str, **extra: object) -> MailboxSettings:
    values: dict[str, object] = {
        "imap_host": imap.host,
        "imap_port": imap.port,
        "imap_security": "plain",
        "imap_user": imap.user,
        "imap_password": imap.password,
        "imap_folder": folder,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_security": "plain",
        "from_address": "12345@hotline.gov.cn",
    }
    return MailboxSettings(**(values | extra))  # type: ignore[arg-type]


def new_folder(imap: ImapServer, name: str) -> str:
    import imaplib

    connection = imaplib.IMAP4(imap.host, imap.port)
    connection.login(imap.user, imap.password)
    connection.create(name)
    connection.logout()
    return name


def parsed_replies(smtp: SmtpSink) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(raw, policy=email.policy.default) for raw in smtp.messages]  # type: ignore[misc]


AUTO_REPLY = mail(
    [
        "From: MAILER-DAEMON@163.com",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <bounce-1@163.com>",
        "Auto-Submitted: auto-replied",
        "Content-Type: text/plain; charset=utf-8",
    ],
    "退信".encode(),
)


async def test_poll_reads_each_mail_once_replies_threaded_and_survives_restart(
    imap: ImapServer, smtp: SmtpSink, tmp_path: Path
) -> None:
    folder = new_folder(imap, "Poll1")
    for raw in (GB2312_MAIL, QUOTED_REPLY, BIG5_MAIL, AUTO_REPLY, ATTACHMENTS):
        imap.append(raw, folder)
    kit = make_kit()
    channel = MailboxChannel(settings_for(imap, smtp, folder), kit.services, tmp_path / "att", sms=None)
    assert await channel.poll_once() == 5
    texts = [m.text for m in kit.intake.messages]
    assert len(texts) == 4  # the bounce is never answered: no mail loops
    assert texts[0].startswith("关于朱家镕小区供暖不热的投诉\n朱家镕小区3号楼暖气")
    assert texts[1] == "暖气还是不热，已经过去三天了。"  # a reply: quote cut, subject not repeated
    # One thread, one conversation: the reply joins the first mail's session.
    assert kit.intake.messages[0].session_key == kit.intake.messages[1].session_key
    stored = kit.intake.messages[3].meta["attachments"]
    assert "passwd" in stored and "投诉材料.pdf" in stored and str(tmp_path / "att") in stored

    replies = parsed_replies(smtp)
    assert len(replies) == 4
    first = replies[0]
    assert first["To"] == "wangjg@163.com"
    assert first["In-Reply-To"] == "<20261128093000.A1B2@163.com>"
    assert first["Subject"] == "Re: 关于朱家镕小区供暖不热的投诉"
    assert "12345-20261128-000001" in first.get_content()
    assert "1. 已解决" in first.get_content()  # buttons degrade to numbered text in mail
    second = replies[1]
    assert second["References"].split() == [
        "<20261128093000.A1B2@163.com>",
        "<ticket-reply-1@hotline.gov.cn>",
        "<reply-2@163.com>",
    ]

    # Nothing is read twice, even by a fresh process (the keyword lives on the IMAP server).
    assert await channel.poll_once() == 0
    restarted = MailboxChannel(settings_for(imap, smtp, folder), make_kit().services, tmp_path / "att", sms=None)
    assert await restarted.poll_once() == 0
    assert all(b"HotlineDone" in flags for flags in imap.keywords(folder))


async def test_oversized_mail_is_answered_with_the_limit_and_not_processed(
    imap: ImapServer, smtp: SmtpSink, tmp_path: Path
) -> None:
    folder = new_folder(imap, "Poll2")
    imap.append(GB2312_MAIL, folder)
    kit = make_kit()
    channel = MailboxChannel(settings_for(imap, smtp, folder, max_mail_bytes=200), kit.services, tmp_path, sms=None)
    assert await channel.poll_once() == 1
    assert kit.intake.messages == []
    (reply,) = parsed_replies(smtp)
    assert "超过" in reply.get_content()
    assert reply["In-Reply-To"] == "<20261128093000.A1B2@163.com>"


async def test_late_reply_is_sent_once(imap: ImapServer, smtp: SmtpSink, tmp_path: Path) -> None:
    folder = new_folder(imap, "Poll3")
    imap.append(GB2312_MAIL, folder)
    kit = make_kit()
    kit.intake.pending = True
    channel = MailboxChannel(settings_for(imap, smtp, folder), kit.services, tmp_path, sms=None)
    await channel.poll_once()
    assert smtp.messages == []
    message = kit.intake.messages[0]
    recipient = Recipient("mailbox", message.sender, message.external_id, message.contact, dict(message.meta))
    outcome = Outcome(message.external_id, (Reply("您反映的供暖问题已转热力公司处理。"),))
    await channel.deliver(recipient, outcome)
    await channel.deliver(recipient, outcome)
    assert len(smtp.messages) == 1


async def test_unreachable_imap_is_an_error_the_loop_survives(smtp: SmtpSink, tmp_path: Path) -> None:
    from tests.channels.mailservers import free_port

    settings = MailboxSettings(
        imap_host="127.0.0.1",
        imap_port=free_port(),
        imap_security="plain",
        imap_user="x",
        imap_password="y",
        timeout_seconds=2,  # type: ignore[arg-type]
    )
    channel = MailboxChannel(settings, make_kit().services, tmp_path, sms=None)
    with pytest.raises(OSError):
        await channel.poll_once()


# --- the web letter form -------------------------------------------------------------------------

LETTER = {
    "title": "建议增设公交线路",
    "content": "我们新区到市中心没有直达公交，每天上班要换乘三次，建议开通一条直达线路。",
    "name": "刘女士",
    "phone": "139 1234 5678",
    "public": "true",
}


def letters_client(client_for: Callable[..., TestClient], kit: Kit, **env: str) -> TestClient:
    return client_for(mailbox, kit, **env)


def test_letter_form_enters_the_pipeline_and_answers_with_the_outcome(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = letters_client(client_for, kit)
    response = client.post("/channels/mailbox/letters", data=LETTER)
    assert response.status_code == 200
    body = response.json()
    assert body["work_order"]["ticket"] == "12345-20261128-000001"
    (message,) = kit.intake.messages
    assert message.text.startswith("建议增设公交线路\n我们新区")
    assert message.contact == "+8613912345678"
    assert message.meta["public"] == "1" and message.meta["name"] == "刘女士"
    # Submitting the same letter again (double click) is still one letter.
    assert client.post("/channels/mailbox/letters", data=LETTER).json()["letter_id"] == body["letter_id"]
    assert len(kit.intake.messages) == 1


def test_letter_as_json_with_its_own_id_and_private_by_default(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = letters_client(client_for, kit)
    payload = {k: v for k, v in LETTER.items() if k != "public"} | {"letter_id": "web-20261128-77"}
    response = client.post("/channels/mailbox/letters", json=payload)
    assert response.json()["letter_id"] == "web-20261128-77"
    assert kit.intake.messages[0].meta["confidential"] == "1"


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"phone": "12345"}, 422, "phone"),
        ({"title": ""}, 422, "title"),
        ({"content": "投诉" * 6000}, 422, "limit"),
        ({"email": "a@b.cn\r\nBcc: x@evil.cn"}, 422, "email"),
        ({"letter_id": "../../x"}, 422, "letter_id"),
        ({"title": "x" * 101}, 422, "title"),
        ({"content": "'; DROP TABLE inbound_messages; --"}, 200, ""),
    ],
)
def test_letter_form_validation(
    kit: Kit, client_for: Callable[..., TestClient], change: dict[str, str], status: int, fragment: str
) -> None:
    response = letters_client(client_for, kit).post("/channels/mailbox/letters", data=LETTER | change)
    assert response.status_code == status
    if fragment:
        assert fragment in response.json()["error"]["detail"]


def test_letter_needs_a_form_or_json(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = letters_client(client_for, kit)
    response = client.post("/channels/mailbox/letters", content=b"<xml/>", headers={"content-type": "text/xml"})
    assert response.status_code == 415
    broken = client.post("/channels/mailbox/letters", content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400


def test_pending_letter_reply_goes_by_mail(kit: Kit, client_for: Callable[..., TestClient], smtp: SmtpSink) -> None:
    kit.intake.pending = True
    client = letters_client(
        client_for,
        kit,
        HOTLINE_MAILBOX_SMTP_HOST=smtp.host,
        HOTLINE_MAILBOX_SMTP_PORT=str(smtp.port),
        HOTLINE_MAILBOX_SMTP_SECURITY="plain",
        HOTLINE_MAILBOX_FROM_ADDRESS="12345@hotline.gov.cn",
    )
    response = client.post("/channels/mailbox/letters", data=LETTER | {"email": "liu@example.com"})
    assert response.json()["pending"] is True
    message = kit.intake.messages[0]
    recipient = Recipient("mailbox", message.sender, message.external_id, message.contact, dict(message.meta))
    client.portal.call(kit.senders["mailbox"], recipient, Outcome("x", (Reply("已转交公交集团研究。"),)))  # type: ignore[union-attr]
    (reply,) = parsed_replies(smtp)
    assert reply["To"] == "liu@example.com"
    assert reply["Subject"] == "Re: 关于您的来信《建议增设公交线路》的答复"


class _FlakySmsProvider:
    """Fails the first send (gateway down), then delivers."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures = 1

    async def send(self, phone_e164: str, text: str) -> None:
        from channels.errors import UpstreamError

        if self.failures:
            self.failures -= 1
            raise UpstreamError("SMS gateway timed out")
        self.sent.append((phone_e164, text))


async def test_letter_reply_by_sms_is_retried_after_a_failed_send(tmp_path: Path) -> None:
    from channels.errors import UpstreamError
    from channels.sms.outbound import SmsOutbound
    from channels.sms.settings import SmsSettings

    kit = make_kit()
    provider = _FlakySmsProvider()
    outbound = SmsOutbound(SmsSettings(), kit.services, provider)
    channel = MailboxChannel(MailboxSettings(), kit.services, tmp_path, sms=outbound)
    recipient = Recipient("mailbox", "letter:web-1", "web-1", "+8613912345678", {"title": "路灯不亮"})
    outcome = Outcome("web-1", (Reply("您反映的路灯问题已转城管局处理。"),))
    with pytest.raises(UpstreamError):
        await channel.deliver(recipient, outcome)
    await channel.deliver(recipient, outcome)  # the reconciler's retry
    await channel.deliver(recipient, outcome)  # a duplicate push after success sends nothing
    assert provider.sent == [("+8613912345678", "您反映的路灯问题已转城管局处理。")]
