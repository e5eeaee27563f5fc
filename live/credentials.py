"""Secrets shared by every live screen: pairing codes, device credentials and one-time tokens.

None of them is stored in the clear. Device credentials and tokens are random and long, so a
plain SHA-256 is enough to store them. Pairing codes are short enough to guess offline from a
database dump, so they are stored as an HMAC keyed with SECRET_KEY (``keyed_hash``, with a
salt of the app's own: a PB session's code can never pair a meeting's tablet).
"""

import hashlib
import re
import secrets

from django.utils.crypto import salted_hmac

PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
PAIRING_LENGTH = 8
TOKEN_HEX = 32  # 128 bits


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def keyed_hash(salt: str, value: str, algorithm: str = "sha1") -> str:
    return salted_hmac(salt, value, algorithm=algorithm).hexdigest()


def pairing_code_new() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))


def pairing_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def pairing_code_normalise(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def device_credential_new() -> str:
    return secrets.token_urlsafe(32)


def device_credential_hash(credential: str) -> str:
    return sha256(credential or "")


def token_new() -> str:
    return secrets.token_hex(TOKEN_HEX // 2)


def token_nonce_new() -> str:
    return secrets.token_hex(16)


def token_hash(token: str) -> str:
    return sha256((token or "").strip().lower())


def set_device_cookie(response, name: str, credential: str, max_age: int) -> None:
    """Give a paired tablet its credential: HttpOnly, SameSite=Strict, Secure with sessions."""
    from django.conf import settings

    response.set_cookie(
        name,
        credential,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )
