"""Channel errors: each carries a stable code; only the gateway turns them into HTTP responses."""

from __future__ import annotations


class ChannelError(Exception):
    code = "channel_error"
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidPayload(ChannelError):
    code = "invalid_payload"
    status = 422


class MalformedBody(ChannelError):
    code = "malformed_body"
    status = 400


class PayloadTooLarge(ChannelError):
    code = "payload_too_large"
    status = 413


class SignatureInvalid(ChannelError):
    code = "signature_invalid"
    status = 403


class ChannelDisabled(ChannelError):
    code = "channel_disabled"
    status = 404


class RateLimited(ChannelError):
    code = "rate_limited"
    status = 429


class Unauthorized(ChannelError):
    code = "unauthorized"
    status = 401


class UpstreamError(ChannelError):
    """An outbound provider API (WeChat, SMS, SMTP, callbacks) refused or failed a call."""

    code = "upstream_error"
    status = 502

    def __init__(self, detail: str, provider_code: str = "") -> None:
        super().__init__(detail)
        self.provider_code = provider_code


class UnsupportedMedia(ChannelError):
    code = "unsupported_media_type"
    status = 415


class NotFound(ChannelError):
    code = "not_found"
    status = 404


class ChannelMisconfigured(ChannelError):
    """Raised at startup (never for a request): production refuses placeholder credentials."""

    code = "channel_misconfigured"
    status = 500
