"""SMS channel settings (HOTLINE_SMS_*): inbound push credentials per provider, the outbound provider."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_SMS_", env_file=".env", extra="ignore")

    # Which provider sends replies; empty means replies are not sent by SMS.
    outbound: Literal["", "aliyun", "tencent", "generic"] = ""
    # Appended by the provider to every message (【…】); it counts towards the 70/67-character limits.
    sign_name: str = "12345热线"
    max_parts: int = Field(default=5, ge=1, le=10)
    # concatenated: one long SMS the handset joins (67 per part); split: separate SMS each within 70.
    long_messages: Literal["concatenated", "split"] = "concatenated"
    reply_budget_seconds: float = Field(default=0.0, ge=0, le=10)
    rate_limit_per_minute: int = Field(default=10, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    max_text_chars: int = Field(default=1000, gt=0)
    # Opt-outs are kept this long in the shared store (Redis in production).
    opt_out_days: int = Field(default=3650, gt=0)
    default_region: str = "CN"

    # Aliyun (dysmsapi 2017-05-25): inbound HTTP batch push guarded by a token in the push URL.
    aliyun_push_token: SecretStr = SecretStr("")
    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: SecretStr = SecretStr("")
    aliyun_template_code: str = ""
    aliyun_template_param: str = "content"
    aliyun_api_base: str = "https://dysmsapi.aliyuncs.com"

    # Tencent Cloud SMS (API 3.0, 2021-01-11): inbound callback guarded by a token in the callback URL.
    tencent_push_token: SecretStr = SecretStr("")
    tencent_secret_id: str = ""
    tencent_secret_key: SecretStr = SecretStr("")
    tencent_sdk_app_id: str = ""
    tencent_template_id: str = ""
    tencent_region: str = "ap-guangzhou"
    tencent_api_base: str = "https://sms.tencentcloudapi.com"

    # Generic JSON gateway: HMAC-SHA256 over "<timestamp>.<body>" both ways.
    generic_secret: SecretStr = SecretStr("")
    generic_send_url: str = ""
    signature_window_seconds: int = Field(default=300, gt=0)

    def inbound_providers(self) -> list[str]:
        configured = {
            "aliyun": self.aliyun_push_token,
            "tencent": self.tencent_push_token,
            "generic": self.generic_secret,
        }
        return [name for name, secret in configured.items() if secret.get_secret_value()]

    @property
    def enabled(self) -> bool:
        return bool(self.inbound_providers() or self.outbound)
