"""A pack that carries its own passphrase: the whole zip sealed with AES-256-GCM (no Qt here).

The key comes from the passphrase (Unicode NFC, UTF-8) through scrypt (the stdlib's
`hashlib.scrypt`, N = 2^15, r = 8, p = 1) over a random 16-byte salt; the cipher is
AES-256-GCM from `cryptography` (an optional extra, `pip install briefing[packs]`: the stdlib
has no authenticated cipher, and `cryptography` is the maintained one every Python project
uses), with a random 12-byte nonce. The header is authenticated with the ciphertext, so a
changed byte anywhere, a wrong passphrase or a cut-short file all fail the same check and
nothing of the pack is read. The plain zip is only ever in memory: not one byte of it is written
to disk on export or import. Layout (docs/packs.md):

    magic "BRIEFING-SEALED-PACK\\n" (21 bytes) | version 1 (1 byte) | log2 N, r, p (1 byte each)
    | salt (16) | nonce (12) | AES-GCM ciphertext of the zip, with its 16-byte tag
"""

from __future__ import annotations

import hashlib
import os
import unicodedata

from briefing.core.pack_format import PackError
from briefing.errors import InputError

MAGIC = b"BRIEFING-SEALED-PACK\n"
VERSION = 1
LOG2_N, R, P = 15, 8, 1
SALT_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + 4 + SALT_SIZE + NONCE_SIZE
MAX_PASSPHRASE = 4096


class PackPassphraseError(PackError):
    """A sealed pack without its passphrase, or with a wrong one; nothing was read."""


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _aesgcm():
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as error:
        raise InputError(
            "packs with a passphrase need the 'cryptography' package: pip install 'briefing[packs]'"
        ) from error
    return AESGCM


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not isinstance(passphrase, str) or passphrase == "":
        raise InputError("the pack's passphrase is empty")
    if len(passphrase) > MAX_PASSPHRASE:
        raise InputError(f"the pack's passphrase is longer than {MAX_PASSPHRASE} characters")
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise PackPassphraseError("the pack's key settings are out of range; it was not read")
    words = unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")
    return hashlib.scrypt(
        words, salt=salt, n=1 << log2_n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def seal(data: bytes, passphrase: str) -> bytes:
    """The sealed form of a pack's zip bytes."""
    aesgcm = _aesgcm()
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    header = MAGIC + bytes([VERSION, LOG2_N, R, P]) + salt + nonce
    key = _key(passphrase, salt, LOG2_N, R, P)
    return header + aesgcm(key).encrypt(nonce, data, header)


def unseal(sealed: bytes, passphrase: str, name: str) -> bytes:
    """The zip bytes of a sealed pack; PackPassphraseError for a wrong passphrase or damage."""
    from cryptography.exceptions import InvalidTag

    aesgcm = _aesgcm()
    if len(sealed) < HEADER_SIZE + TAG_SIZE:
        raise PackPassphraseError(f"{name} is a pack with a passphrase, cut short; not read")
    header = sealed[:HEADER_SIZE]
    version, log2_n, r, p = header[len(MAGIC) : len(MAGIC) + 4]
    if version != VERSION:
        raise PackPassphraseError(
            f"{name} was sealed by a newer Briefing (version {version}); update the app"
        )
    salt = header[len(MAGIC) + 4 : len(MAGIC) + 4 + SALT_SIZE]
    nonce = header[len(MAGIC) + 4 + SALT_SIZE :]
    key = _key(passphrase, salt, log2_n, r, p)
    try:
        return aesgcm(key).decrypt(nonce, sealed[HEADER_SIZE:], header)
    except InvalidTag as error:
        raise PackPassphraseError(
            f"the passphrase does not open {name} (or the file was changed since it was "
            "written); nothing was imported"
        ) from error
