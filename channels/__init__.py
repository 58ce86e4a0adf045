"""Channels: one module per way citizens write in, each with parse, render and a router.

The registry below is explicit, like Rasa's BUILTIN_CHANNELS: the gateway mounts what is listed here.
"""

from __future__ import annotations

import logging
from types import ModuleType

from channels import api, mailbox, miniprogram, phone, sms, web, wechat_oa

# httpx logs every request URL at INFO; provider APIs carry access tokens and citizens' phone numbers in
# query strings (WeChat access_token, Aliyun PhoneNumbers), which must never reach the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)

BUILTIN_CHANNELS: dict[str, ModuleType] = {
    web.CHANNEL: web,
    wechat_oa.CHANNEL: wechat_oa,
    sms.CHANNEL: sms,
    mailbox.CHANNEL: mailbox,
    miniprogram.CHANNEL: miniprogram,
    phone.CHANNEL: phone,
    api.CHANNEL: api,
}
