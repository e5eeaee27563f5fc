"""Secrets of live voting: pairing codes, device credentials, ballot tokens and short codes.

The shared parts (pairing codes, device credentials, token hashes) are ``live/credentials.py``;
this module keeps PB's salts and what only PB has.

A ballot token is derived from a random nonce with HMAC(SECRET_KEY): the database holds the
nonce and the token's SHA-256, never the token, yet the server can hand the same token again
to the tablet it was issued to (after a reconnection or a reload), which keeps a ballot saved
on an offline tablet valid. Short codes are HMACs keyed with SECRET_KEY, like pairing codes.
"""

import re
import secrets

from live.credentials import (  # noqa: F401 - PB's services and tests use them from here
    PAIRING_ALPHABET,
    PAIRING_LENGTH,
    TOKEN_HEX,
    device_credential_hash,
    device_credential_new,
    keyed_hash,
    pairing_code_display,
    pairing_code_new,
    pairing_code_normalise,
    sha256,
    token_hash,
    token_nonce_new,
)

SHORT_CODE_DIGITS = 6


def pairing_code_hash(code: str) -> str:
    return keyed_hash("budgeting.live.pairing-code", pairing_code_normalise(code))


def token_from_nonce(nonce: str) -> str:
    return keyed_hash("budgeting.live.ballot-token", nonce, algorithm="sha256")[:TOKEN_HEX]


def short_code_new() -> str:
    return f"{secrets.randbelow(10**SHORT_CODE_DIGITS):0{SHORT_CODE_DIGITS}d}"


def short_code_normalise(code: str) -> str:
    return re.sub(r"\D", "", code or "")


def short_code_hash(session_id: int, code: str) -> str:
    value = f"{session_id}:{short_code_normalise(code)}"
    return keyed_hash("budgeting.live.short-code", value)
