"""WeChat message crypto: SHA-1 signatures, the replay window, and AES-256-CBC of safe mode.

The AES framing is WeChat's: base64(AES-CBC(key, iv=key[:16], pkcs7_32(random16 + len32be + msg + appid))).
wechatpy's PrpCrypto implements the same framing, but its decrypt trusts the padding byte and the length
field blindly; this one checks both, so a forged ciphertext is refused instead of yielding garbage.
Tests cross-check both directions against wechatpy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels.errors import InvalidPayload, SignatureInvalid

_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 over the lexicographically sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def verify_signature(expected: str | None, *parts: str) -> None:
    if not expected:
        raise SignatureInvalid("missing signature")
    if not hmac.compare_digest(signature(*parts).encode(), expected.strip().lower().encode()):
        raise SignatureInvalid("signature does not match")


def check_timestamp(timestamp: str | None, window_seconds: int, now: float | None = None) -> None:
    """Refuse replays: the request's timestamp must be within the window of our clock."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureInvalid("missing or malformed timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window_seconds:
        raise SignatureInvalid(f"timestamp outside the {window_seconds} s window (replay?)")


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 43-character EncodingAESKey is base64 without its trailing '='."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("EncodingAESKey is not valid base64") from error
    if len(key) != 32:
        raise ValueError(f"EncodingAESKey must decode to 32 bytes, got {len(key)}")
    return key


class MessageCrypto:
    """Encrypt/decrypt bodies of safe and compatible mode for one app (appid + EncodingAESKey)."""

    def __init__(self, encoding_aes_key: str, appid: str) -> None:
        self._key = decode_aes_key(encoding_aes_key)
        self._appid = appid.encode("utf-8")

    def encrypt(self, plaintext: str, random_prefix: bytes | None = None) -> str:
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        body = plaintext.encode("utf-8")
        framed = prefix + struct.pack(">I", len(body)) + body + self._appid
        pad = _BLOCK - len(framed) % _BLOCK
        framed += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(encryptor.update(framed) + encryptor.finalize()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            data = base64.b64decode(ciphertext, validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidPayload("Encrypt is not valid base64") from error
        if not data or len(data) % 16:
            raise InvalidPayload("Encrypt has a length that is not a whole number of AES blocks")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        framed = decryptor.update(data) + decryptor.finalize()
        pad = framed[-1]
        if not 1 <= pad <= _BLOCK or framed[-pad:] != bytes([pad]) * pad:
            raise SignatureInvalid("Encrypt does not decrypt with this EncodingAESKey (bad padding)")
        content = framed[16:-pad]
        if len(content) < 4:
            raise InvalidPayload("Encrypt is too short")
        (length,) = struct.unpack(">I", content[:4])
        body, appid = content[4 : 4 + length], content[4 + length :]
        if length > len(content) - 4 or not hmac.compare_digest(appid, self._appid):
            raise SignatureInvalid("Encrypt was not made for this appid")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidPayload("decrypted message is not UTF-8") from error
