"""Production refuses placeholder channel credentials at startup; development lets them through."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

import pytest
from fastapi import FastAPI

from channels import api, mailbox, miniprogram, phone, sms, wechat_oa
from channels.errors import ChannelMisconfigured
from tests.channels.conftest import make_kit

CASES = [
    (wechat_oa, {"HOTLINE_WECHAT_OA_TOKEN": "token"}, "HOTLINE_WECHAT_OA_TOKEN"),
    (
        miniprogram,
        {
            "HOTLINE_MINIPROGRAM_TOKEN": "mp-token-strong-1",
            "HOTLINE_MINIPROGRAM_APPID": "wx1",
            "HOTLINE_MINIPROGRAM_SECRET": "secret",
        },
        "HOTLINE_MINIPROGRAM_SECRET",
    ),
    (sms, {"HOTLINE_SMS_ALIYUN_PUSH_TOKEN": "changeme"}, "HOTLINE_SMS_ALIYUN_PUSH_TOKEN"),
    (
        mailbox,
        {
            "HOTLINE_MAILBOX_IMAP_HOST": "imap.example.cn",
            "HOTLINE_MAILBOX_IMAP_USER": "u",
            "HOTLINE_MAILBOX_IMAP_PASSWORD": "password",
        },
        "HOTLINE_MAILBOX_IMAP_PASSWORD",
    ),
    (phone, {"HOTLINE_PHONE_TOKEN": "short"}, "HOTLINE_PHONE_TOKEN"),
    (api, {"HOTLINE_API_TOKENS": '{"110": "dev"}'}, "HOTLINE_API_TOKENS[110]"),
]


@pytest.mark.parametrize(("module", "env", "weak"), CASES, ids=[m.__name__ for m, _, _ in CASES])
async def test_placeholders_stop_production_startup(
    module: ModuleType, env: dict[str, str], weak: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOTLINE_MAILBOX_POLL", "false")
    app = FastAPI()
    app.state.settings = SimpleNamespace(env="production", data_dir=None)
    with pytest.raises(ChannelMisconfigured) as caught:
        await module.setup(app, make_kit().services)
    assert caught.value.detail.endswith(weak)
    app.state.settings = SimpleNamespace(env="development", data_dir=None)
    await module.setup(app, make_kit().services)  # development accepts them
