"""Channel costs: µs per verify+parse for each channel's inbound format, and WeChat end to end against 5 s.

    .venv/bin/python bench/channels.py                      # both parts; trains a model in a temp dir
    .venv/bin/python bench/channels.py --parse-only
    .venv/bin/python bench/channels.py --models var/models  # reuse a trained classifier

Part 1 runs each channel's own verification and parsing code on a realistic payload (signature checks,
AES decryption, XML/JSON/MIME parsing) and reports the median of several rounds. Part 2 builds the real app
(SQLite, in-process twins, 2 embedded workers) and posts WeChat official-account messages, signed and in
safe mode, reporting the request time against WeChat's 5 s limit and how many got a passive reply.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channels import api, phone  # noqa: E402
from channels.mailbox.letters import letter_from_form, message_from_letter  # noqa: E402
from channels.mailbox.mime import parse_mail  # noqa: E402
from channels.miniprogram import message_from_push  # noqa: E402
from channels.sms import aliyun, generic, tencent  # noqa: E402
from channels.web import WebSettings  # noqa: E402
from channels.web import parse as web_parse  # noqa: E402
from channels.wechat_crypto import MessageCrypto, signature  # noqa: E402
from channels.wechat_envelope import Verifier, parse_xml_or_json  # noqa: E402
from channels.wechat_oa import message_from_fields, passive_text  # noqa: E402

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxbench000000000001"
COMPLAINT = "小区门口的垃圾堆了一个星期没人清理，臭得不行，物业也不管，麻烦尽快处理一下"
OA_XML = (
    "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBenchCitizen]]></FromUserName>"
    f"<CreateTime>1764316800</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{COMPLAINT}]]>"
    "</Content><MsgId>24561234567890123</MsgId></xml>"
)


def measure(work: Callable[[], object], iterations: int, rounds: int = 5) -> float:
    """Median µs per call over several rounds."""
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            work()
        per_round.append((time.perf_counter_ns() - start) / iterations / 1000)
    return statistics.median(per_round)


def parse_cases() -> dict[str, Callable[[], object]]:
    stamp = str(int(time.time()))
    plain_params = {"timestamp": stamp, "nonce": "n1", "signature": signature(TOKEN, stamp, "n1")}
    verifier = Verifier(TOKEN, AES_KEY, APPID, "compatible", 300, 65536)
    crypto = MessageCrypto(AES_KEY, APPID)
    encrypt = crypto.encrypt(OA_XML)
    safe_body = f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    safe_params = plain_params | {"encrypt_type": "aes", "msg_signature": signature(TOKEN, stamp, "n1", encrypt)}
    mp_json = json.dumps(
        {
            "ToUserName": "gh",
            "FromUserName": "oMp",
            "CreateTime": 1,
            "MsgType": "text",
            "Content": COMPLAINT,
            "MsgId": 9,
        },
        ensure_ascii=False,
    )
    aliyun_body = json.dumps(
        [{"phone_number": "13800138000", "content": COMPLAINT, "sequence_id": 1, "send_time": "2026-11-28 20:00:00"}],
        ensure_ascii=False,
    ).encode()
    tencent_body = json.dumps(
        {"mobile": "13800138000", "nationcode": "86", "text": COMPLAINT, "time": 1764331200}, ensure_ascii=False
    ).encode()
    generic_body = json.dumps({"id": "g1", "from": "+8613800138000", "text": COMPLAINT}, ensure_ascii=False).encode()
    generic_sig = generic.sign("bench-secret", stamp, generic_body)
    gb_mail = (
        b"From: =?GB2312?B?" + base64.b64encode("王建国".encode("gb2312")) + b"?= <wang@163.com>\r\n"
        b"Subject: =?GB2312?B?" + base64.b64encode("垃圾清运".encode("gb2312")) + b"?=\r\n"
        b"Message-ID: <bench@163.com>\r\nContent-Type: text/plain; charset=gb2312\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(COMPLAINT.encode("gb2312"))
    )
    html_mail = (
        b'From: a@b.cn\r\nSubject: x\r\nMessage-ID: <h@b.cn>\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n'
        b"--m\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>"
        + COMPLAINT.encode()
        + b"</p><blockquote>old</blockquote>\r\n"
        b'--m\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="a.jpg"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"\xff\xd8" + b"\0" * 20000) + b"--m--\r\n"
    )
    letter = {"title": "垃圾清运", "content": COMPLAINT, "phone": "13800138000", "name": "王先生"}
    call = json.dumps(
        {"call_id": "C1", "caller": "13800138000", "segments": [{"speaker": "citizen", "text": COMPLAINT}]},
        ensure_ascii=False,
    ).encode()
    appeal = json.dumps({"appeal_id": "A1", "text": COMPLAINT, "citizen": {"phone": "13800138000"}}).encode()
    phone_settings = phone.PhoneSettings(token="x")  # type: ignore[arg-type]
    api_settings = api.ApiSettings()
    web_settings = WebSettings()
    web_body = json.dumps({"session_id": "s", "message_id": "m", "text": COMPLAINT}, ensure_ascii=False).encode()

    def oa_plain() -> object:
        envelope = verifier.open(plain_params, OA_XML.encode())
        return message_from_fields(envelope.fields, envelope.plain, "wechat_oa", 2000)

    def oa_safe() -> object:
        envelope = verifier.open(safe_params, safe_body.encode())
        return message_from_fields(envelope.fields, envelope.plain, "wechat_oa", 2000)

    def oa_safe_reply() -> object:
        return verifier.seal(
            passive_text("oBenchCitizen", "gh_bench", "已为您登记工单，编号12345-20261128-000001。"), "n1"
        )

    def mp_plain() -> object:
        envelope = verifier.open(plain_params, mp_json.encode(), parse_xml_or_json)
        return message_from_push(envelope.fields, envelope.plain, 2000)

    def sms_generic() -> object:
        generic.verify("bench-secret", stamp, generic_sig, generic_body, 300)
        return generic.parse_push(generic_body, "sms", "CN")

    def aliyun_push() -> object:
        hmac.compare_digest(b"push-token", b"push-token")
        return aliyun.parse_push(aliyun_body, "sms", "CN")

    return {
        "web (JSON)": lambda: web_parse(web_body, web_settings),
        "wechat_oa plaintext (sha1 + XML)": oa_plain,
        "wechat_oa safe mode (sha1 x2 + AES + XML x2)": oa_safe,
        "wechat_oa safe-mode passive reply (AES + sign)": oa_safe_reply,
        "miniprogram JSON plaintext": mp_plain,
        "sms aliyun MO push (+86 normalise)": aliyun_push,
        "sms tencent MO callback": lambda: tencent.parse_push(tencent_body, "sms", "CN"),
        "sms generic (HMAC + JSON)": sms_generic,
        "mailbox GB2312 mail (MIME)": lambda: parse_mail(gb_mail, 10, 10_000_000, 20_000),
        "mailbox HTML mail + 20 KB attachment": lambda: parse_mail(html_mail, 10, 10_000_000, 20_000),
        "mailbox web letter (form)": lambda: message_from_letter(letter_from_form(letter, 10_000)),
        "phone transcript": lambda: phone.parse(call, phone_settings),
        "api appeal": lambda: api.parse(appeal, "110", api_settings),
    }


def run_parse(iterations: int) -> None:
    print(f"\n== verify + parse, median of 5 rounds x {iterations} calls ==")
    print(f"{'channel / format':48s} {'µs per message':>15s}")
    for name, work in parse_cases().items():
        print(f"{name:48s} {measure(work, iterations):15.1f}")


def run_wechat_end_to_end(messages: int, models: Path | None) -> None:
    from fastapi.testclient import TestClient

    from channels.xmlsafe import parse_flat
    from gateway.app import create_app
    from gateway.settings import Settings

    texts = [
        COMPLAINT,
        "楼下烧烤店油烟太大，晚上12点还在营业",
        "请问新生儿落户需要带哪些材料？",
        "我家厨房着火了",
        "东风路的红绿灯坏了，路口堵得水泄不通",
        "建议在人民公园东门增设一个公交站",
        "小区停水三天了也没有通知，什么时候恢复？",
        "工地晚上十一点还在打桩，吵得睡不着",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-channels-") as tmp:
        models_dir = models
        if models_dir is None:
            from classifier import train_default

            models_dir = Path(tmp) / "models"
            started = time.perf_counter()
            train_default(models_dir)
            print(f"\n(trained the classifier in {time.perf_counter() - started:.1f} s for this run)")
        os.environ.update(
            {
                "HOTLINE_WECHAT_OA_TOKEN": TOKEN,
                "HOTLINE_WECHAT_OA_APPID": APPID,
                "HOTLINE_WECHAT_OA_AES_KEY": AES_KEY,
                "HOTLINE_WECHAT_OA_MODE": "safe",
            }
        )
        settings = Settings(data_dir=Path(tmp) / "var", models_path=models_dir, embedded_workers=2, log_level="WARNING")
        crypto = MessageCrypto(AES_KEY, APPID)
        latencies: list[float] = []
        passive = 0
        with TestClient(create_app(settings)) as client:
            for index in range(messages):
                text = texts[index % len(texts)]
                xml = OA_XML.replace(COMPLAINT, text).replace("24561234567890123", str(10_000 + index))
                xml = xml.replace("oBenchCitizen", f"oBench{index % 20:03d}")
                encrypt = crypto.encrypt(xml)
                body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
                stamp = str(int(time.time()))
                params = {
                    "timestamp": stamp,
                    "nonce": "bench",
                    "signature": signature(TOKEN, stamp, "bench"),
                    "encrypt_type": "aes",
                    "msg_signature": signature(TOKEN, stamp, "bench", encrypt),
                }
                started = time.perf_counter()
                response = client.post("/channels/wechat-oa", params=params, content=body.encode())
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code == 200 and response.text != "success":
                    passive += int(bool(parse_flat(response.content, 65536).get("Encrypt")))
        first = latencies[0]
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"\n== WeChat official account end to end (safe mode, real app, {messages} messages, sequential) ==")
        print(f"first message after start-up {first:.0f} ms")
        print(
            f"p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {latencies[-1]:.0f} ms   budget 4000 ms   WeChat limit 5000 ms"
        )
        print(f"passive replies {passive}/{messages}; the rest answered `success` and went to the customer-service API")
        print(f"headroom at p95: {5000 / max(p95, 1):.0f}x under the 5 s limit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=60)
    parser.add_argument("--models", type=Path, default=None, help="a trained classifier directory to reuse")
    parser.add_argument("--parse-only", action="store_true")
    args = parser.parse_args()
    run_parse(args.iterations)
    if not args.parse_only:
        run_wechat_end_to_end(args.messages, args.models)


if __name__ == "__main__":
    main()
