"""Mail parsing: Chinese charsets as mail clients really send them, HTML-only mail, quoted replies, attachments."""

from __future__ import annotations

import base64
import quopri
from email.header import Header

import pytest

from channels.errors import InvalidPayload
from channels.mailbox.attachments import safe_name, store
from channels.mailbox.htmltext import html_to_text
from channels.mailbox.mime import Attachment, parse_mail, strip_quoted
from channels.mailbox.settings import MailboxSettings
from channels.mailbox.smtp import build_reply, reply_subject


def b64(text: str, charset: str) -> bytes:
    return base64.encodebytes(text.encode(charset))


def word(text: str, charset: str) -> str:
    """An RFC 2047 encoded word, as mail clients put Chinese subjects and names in headers."""
    return Header(text, charset).encode()


def mail(headers: list[str], body: bytes) -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body


# 镕 is in GBK but not in GB2312: clients declaring gb2312 send it anyway.
GB2312_MAIL = mail(
    [
        f"From: {word('王建国', 'gb2312')} <wangjg@163.com>",
        "To: 12345@hotline.gov.cn",
        f"Subject: {word('关于朱家镕小区供暖不热的投诉', 'gb18030').replace('gb18030', 'gb2312')}",
        "Message-ID: <20261128093000.A1B2@163.com>",
        "Date: Sat, 28 Nov 2026 09:30:00 +0800",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="gb2312"',
        "Content-Transfer-Encoding: base64",
    ],
    b64("朱家镕小区3号楼暖气从上周开始就不热，室温只有14度，老人孩子都冻感冒了。\r\n联系电话13800138000", "gb18030"),
)
GBK_QP_MAIL = mail(
    [
        "From: li.si@qq.com",
        "Subject: =?GBK?Q?=D4=EB=D2=F4=C8=C5=C3=F1?=",
        "Message-ID: <tencent_ABC123@qq.com>",
        "Content-Type: text/plain; charset=GBK",
        "Content-Transfer-Encoding: quoted-printable",
    ],
    quopri.encodestring("工地晚上十一点还在打桩，吵得根本睡不着！！".encode("gbk")),
)
GB18030_MAIL = mail(
    [
        "From: zhao@sina.cn",
        "Subject: =?GB18030?B?" + base64.b64encode("生僻字姓名䶮的户口问题".encode("gb18030")).decode() + "?=",
        "Message-ID: <gb18030-1@sina.cn>",
        "Content-Type: text/plain; charset=GB18030",
        "Content-Transfer-Encoding: base64",
    ],
    b64("我的名字里有“䶮”和“𠀀”字，派出所系统打不出来，办不了身份证。", "gb18030"),
)
BIG5_MAIL = mail(
    [
        "From: chan.taiman@yahoo.com.hk",
        f"Subject: {word('查詢港澳居民來往內地通行證', 'big5')}",
        "Message-ID: <big5-1@yahoo.com.hk>",
        "Content-Type: text/plain; charset=big5",
        "Content-Transfer-Encoding: base64",
    ],
    b64("請問喺內地點樣補辦回鄉證㗎？我喺深圳工作。", "big5hkscs"),
)
UTF8_ALTERNATIVE = mail(
    [
        "From: =?UTF-8?B?" + base64.b64encode("陈小姐".encode()).decode() + "?= <chen@example.com>",
        "Subject: =?UTF-8?B?" + base64.b64encode("垃圾清运🚮".encode()).decode() + "?=",
        "Message-ID: <alt-1@example.com>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/alternative; boundary="b1"',
    ],
    (
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "小区门口的垃圾堆了一个星期没人清理，臭得不行🤢\r\n"
        "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML version</p>\r\n--b1--\r\n"
    ).encode(),
)
HTML_ONLY = mail(
    [
        "From: office@company.cn",
        "Subject: =?UTF-8?B?" + base64.b64encode("建议".encode()).decode() + "?=",
        "Message-ID: <html-1@company.cn>",
        "Content-Type: text/html; charset=utf-8",
    ],
    (
        "<html><head><style>p{color:red}</style><title>x</title></head><body>"
        "<p>建议在&nbsp;人民公园&amp;东门增设公交站。</p><div>谢谢！<br>市民 老周</div>"
        "<script>alert(1)</script><blockquote>之前的邮件内容</blockquote></body></html>"
    ).encode(),
)
QUOTED_REPLY = mail(
    [
        "From: wangjg@163.com",
        "Subject: Re: =?UTF-8?B?" + base64.b64encode("您的来信已受理".encode()).decode() + "?=",
        "Message-ID: <reply-2@163.com>",
        "In-Reply-To: <ticket-reply-1@hotline.gov.cn>",
        "References: <20261128093000.A1B2@163.com> <ticket-reply-1@hotline.gov.cn>",
        "Content-Type: text/plain; charset=utf-8",
    ],
    (
        "暖气还是不热，已经过去三天了。\r\n\r\n"
        "------------------ 原始邮件 ------------------\r\n"
        '发件人: "12345热线" <12345@hotline.gov.cn>\r\n'
        "> 您的来信已受理，工单号12345-20261128-000001\r\n"
    ).encode(),
)
UNDECLARED_8BIT = (
    b"From: sun@126.com\r\nSubject: " + "路灯不亮".encode("gbk") + b"\r\nMessage-ID: <raw8@126.com>\r\n"
    b"Content-Type: text/plain\r\n\r\n" + "东三环辅路的路灯一排都不亮".encode("gbk")
)
ATTACHMENTS = mail(
    [
        "From: evidence@qq.com",
        "Subject: =?UTF-8?B?" + base64.b64encode("占道经营照片".encode()).decode() + "?=",
        "Message-ID: <att-1@qq.com>",
        'Content-Type: multipart/mixed; boundary="mix"',
    ],
    (
        "--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n照片见附件，早上七点到九点最严重。\r\n"
        "--mix\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\n/9j/4AAQSkZJRg==\r\n'
        "--mix\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="=?UTF-8?B?'
        + base64.b64encode("..\\..\\投诉材料.pdf".encode()).decode()
        + '?="\r\n\r\nJVBERi0xLjQK\r\n'
        "--mix\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="huge.bin"\r\n\r\n'
        + base64.b64encode(b"\0" * 4096).decode()
        + "\r\n--mix--\r\n"
    ).encode(),
)


@pytest.mark.parametrize(
    ("raw", "sender", "subject", "fragment"),
    [
        (GB2312_MAIL, "wangjg@163.com", "关于朱家镕小区供暖不热的投诉", "室温只有14度"),
        (GBK_QP_MAIL, "li.si@qq.com", "噪音扰民", "工地晚上十一点还在打桩"),
        (GB18030_MAIL, "zhao@sina.cn", "生僻字姓名䶮的户口问题", "“䶮”和“𠀀”"),
        (BIG5_MAIL, "chan.taiman@yahoo.com.hk", "查詢港澳居民來往內地通行證", "補辦回鄉證㗎"),
        (UTF8_ALTERNATIVE, "chen@example.com", "垃圾清运🚮", "臭得不行🤢"),
        (HTML_ONLY, "office@company.cn", "建议", "建议在 人民公园&东门增设公交站。\n\n谢谢！\n市民 老周"),
        (UNDECLARED_8BIT, "sun@126.com", "路灯不亮", "东三环辅路的路灯一排都不亮"),
    ],
)
def test_charsets_headers_and_bodies(raw: bytes, sender: str, subject: str, fragment: str) -> None:
    parsed = parse_mail(raw, 5, 1024, 20_000)
    assert parsed.from_address == sender
    assert parsed.subject == subject
    assert fragment in parsed.text
    assert "\ufffd" not in parsed.text + parsed.subject


def test_multipart_alternative_prefers_plain_and_html_only_is_flagged() -> None:
    assert "HTML version" not in parse_mail(UTF8_ALTERNATIVE, 5, 1024, 20_000).text
    html = parse_mail(HTML_ONLY, 5, 1024, 20_000)
    assert html.html_only
    assert "alert" not in html.text and "color" not in html.text and "之前的邮件" not in html.text


def test_quoted_reply_is_cut_and_threading_headers_kept() -> None:
    parsed = parse_mail(QUOTED_REPLY, 5, 1024, 20_000)
    assert parsed.text == "暖气还是不热，已经过去三天了。"
    assert parsed.in_reply_to == "<ticket-reply-1@hotline.gov.cn>"
    assert parsed.thread_root == "<20261128093000.A1B2@163.com>"
    assert parse_mail(GB2312_MAIL, 5, 1024, 20_000).thread_root == "<20261128093000.A1B2@163.com>"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (
            "路灯修好了，谢谢！\n\n在 2026年11月27日 10:00，12345热线 <12345@hotline.gov.cn> 写道：\n> 已派单",
            "路灯修好了，谢谢！",
        ),
        ("Still broken.\n\nOn Fri, Nov 27, 2026 at 10:00 AM 12345 <a@b.cn> wrote:\n> old", "Still broken."),
        ("还没人来处理\n-----Original Message-----\nFrom: x", "还没人来处理"),
        ("第一行\n> 引用\n第二行\n--\n张三 13800138000", "第一行\n第二行"),
        ("已收到\n\n发自我的iPhone", "已收到"),
        ("好的\n________________________________\n发件人: 12345", "好的"),
    ],
)
def test_quote_and_signature_stripping(body: str, kept: str) -> None:
    assert strip_quoted(body) == kept


def test_attachments_are_limited_and_stored_without_path_traversal(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path)) / "attachments"
    parsed = parse_mail(ATTACHMENTS, max_attachments=5, max_attachment_bytes=1024, max_text_chars=20_000)
    assert [a.filename for a in parsed.attachments] == ["../../etc/passwd", "..\\..\\投诉材料.pdf"]  # huge.bin dropped
    paths = [store(root, attachment) for attachment in parsed.attachments]
    assert [p.name for p in paths] == ["passwd", "投诉材料.pdf"]
    assert all(root.resolve() in p.resolve().parents for p in paths)
    assert paths[0].read_bytes().startswith(b"\xff\xd8")
    assert len(parse_mail(ATTACHMENTS, 1, 1024, 20_000).attachments) == 1


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("投诉材料.pdf", "投诉材料.pdf"),
        ("", "attachment"),
        ("..", "attachment"),
        ("CON.txt", "attachment_CON.txt"),
        ("a\x00b\r\nc.jpg", "a_b_c.jpg"),
        ("x" * 300 + ".jpeg", "x" * 115 + ".jpeg"),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_the_same_attachment_is_stored_once(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    first = store(root, Attachment("照片.jpg", "image/jpeg", b"same bytes"))
    second = store(root, Attachment("照片.jpg", "image/jpeg", b"same bytes"))
    assert first == second


@pytest.mark.parametrize(
    "raw",
    [b"", b"Subject: no sender\r\n\r\nbody", b"From: not-an-address\r\n\r\nbody"],
    ids=["empty", "no-from", "bad-from"],
)
def test_mail_without_a_sender_is_refused(raw: bytes) -> None:
    with pytest.raises(InvalidPayload):
        parse_mail(raw, 5, 1024, 20_000)


def test_html_to_text_handles_entities_and_broken_markup() -> None:
    assert html_to_text("<p>一&lt;二&gt;三<p>四<div>五") == "一<二>三\n四\n五"


SETTINGS = MailboxSettings(from_address="12345@hotline.gov.cn", smtp_host="127.0.0.1")


def test_reply_is_threaded_under_the_citizens_mail() -> None:
    reply = build_reply(
        SETTINGS,
        "wangjg@163.com",
        "关于朱家镕小区供暖不热的投诉",
        "您的来信已受理，工单号12345-20261128-000001。",
        in_reply_to="<reply-2@163.com>",
        references=["<20261128093000.A1B2@163.com>", "<ticket-reply-1@hotline.gov.cn>"],
    )
    assert reply["In-Reply-To"] == "<reply-2@163.com>"
    assert reply["References"] == "<20261128093000.A1B2@163.com> <ticket-reply-1@hotline.gov.cn> <reply-2@163.com>"
    assert str(reply["Subject"]) == "Re: 关于朱家镕小区供暖不热的投诉"
    assert reply["Message-ID"].endswith("@hotline.gov.cn>")
    assert reply.get_content().strip() == "您的来信已受理，工单号12345-20261128-000001。"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: 投诉", "Re: 投诉"),
        ("回复：投诉", "回复：投诉"),
        ("", "Re: 您的来信"),
        ("投诉\r\nBcc: all@evil.cn", "Re: 投诉 Bcc: all@evil.cn"),
    ],
)
def test_reply_subjects_never_break_headers(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected
    message = build_reply(SETTINGS, "a@b.cn", subject, "x")
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])


@pytest.mark.parametrize("address", ["a@b.cn\r\nBcc: all@evil.cn", "no-at-sign"])
def test_reply_refuses_header_injection_in_the_address(address: str) -> None:
    with pytest.raises(ValueError):
        build_reply(SETTINGS, address, "s", "x")
