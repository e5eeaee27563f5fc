"""Secrets of live voting: pairing codes, device credentials, ballot tokens and short codes.

None of them is stored in the clear. Device credentials and ballot tokens are random and long,
so a plain SHA-256 is enough to store them. Pairing codes and short codes are short enough to
guess offline from a database dump, so they are stored as an HMAC keyed with SECRET_KEY.

A ballot token is derived from a random nonce with HMAC(SECRET_KEY): the database holds the
nonce and the token's SHA-256, never the token, yet the server can hand the same token again
to the tablet it was issued to (after a reconnection or a reload), which keeps a ballot saved
on an offline tablet valid.
"""

import hashlib
import re
import secrets

from django.utils.crypto import salted_hmac

PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
PAIRING_LENGTH = 8
SHORT_CODE_DIGITS = 6
TOKEN_HEX = 32  # 128 bits


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def pairing_code_new() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))


def pairing_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def pairing_code_normalise(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def pairing_code_hash(code: str) -> str:
    return salted_hmac("budgeting.live.pairing-code", pairing_code_normalise(code)).hexdigest()


def device_credential_new() -> str:
    return secrets.token_urlsafe(32)


def device_credential_hash(credential: str) -> str:
    return sha256(credential or "")


def token_nonce_new() -> str:
    return secrets.token_hex(16)


def token_from_nonce(nonce: str) -> str:
    return salted_hmac("budgeting.live.ballot-token", nonce, algorithm="sha256").hexdigest()[
        :TOKEN_HEX
    ]


def token_hash(token: str) -> str:
    return sha256((token or "").strip().lower())


def short_code_new() -> str:
    return f"{secrets.randbelow(10**SHORT_CODE_DIGITS):0{SHORT_CODE_DIGITS}d}"


def short_code_normalise(code: str) -> str:
    return re.sub(r"\D", "", code or "")


def short_code_hash(session_id: int, code: str) -> str:
    value = f"{session_id}:{short_code_normalise(code)}"
    return salted_hmac("budgeting.live.short-code", value).hexdigest()
