"""Phone numbers normalised with phonenumbers: E.164 (+8613800138000) inside, national form for APIs."""

from __future__ import annotations

import phonenumbers

from channels.errors import InvalidPayload


def normalise(raw: str, region: str = "CN", country_code: str = "") -> str:
    """E.164 for a number as providers send it: '13800138000', '+86 138-0013-8000', '008613800138000'."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if country_code and not text.startswith("+"):
        text = f"+{country_code.lstrip('+')}{text}"
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPayload(f"not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPayload("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """'+8613800138000' -> '13800138000'; other countries keep the 00-prefixed international form."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 86:
        return str(number.national_number)
    return "00" + e164.lstrip("+")
