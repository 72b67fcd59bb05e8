"""Encrypted stores on the command line: `encrypt`, `decrypt`, `passphrase`, and the passphrase.

A passphrase comes from `--passphrase-file FILE`, else the file BRIEFING_PASSPHRASE_FILE names,
else a prompt on the terminal that does not echo (asked twice for a new one). Never from an
argument: a command line is visible to every user of the machine (`ps`) and kept in shell
history. A file's passphrase is its whole text less one final line break.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from briefing.cli.common import Commands, store_file
from briefing.errors import InputError

PASSPHRASE_ENV = "BRIEFING_PASSPHRASE_FILE"


def register(commands: Commands) -> None:
    commands.command(
        "encrypt",
        encrypt,
        "encrypt the store and its backups with a passphrase (the plain file is overwritten "
        "with zeros and removed)",
    )
    commands.command(
        "decrypt", decrypt, "turn an encrypted store and its backups back into plain files"
    )
    sub = commands.command(
        "passphrase", passphrase, "change an encrypted store's passphrase (its backups too)"
    )
    sub.add_argument(
        "--new-passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the new passphrase from FILE (default: ask on the terminal)",
    )


def _path(args: argparse.Namespace) -> Path:
    return store_file(args, "encryption")


def _from_file(file: Path) -> str:
    try:
        text = Path(file).expanduser().read_bytes().decode("utf-8")
    except OSError as error:
        raise InputError(f"cannot read the passphrase file {file}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise InputError(f"the passphrase file {file} is not UTF-8 text") from error
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    if not text:
        raise InputError(f"the passphrase file {file} is empty; nothing was changed")
    return text


def _prompt(prompt: str, *, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise InputError(
            "a passphrase is needed: give it with --passphrase-file FILE or "
            f"{PASSPHRASE_ENV} (there is no terminal to ask on); nothing was changed"
        )
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("The same passphrase again: ") != first:
            raise InputError("the two passphrases differ; nothing was changed")
    except EOFError as error:
        raise InputError("no passphrase was typed; nothing was changed") from error
    return first


def read_passphrase(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    """The passphrase from `--passphrase-file`, BRIEFING_PASSPHRASE_FILE, or the terminal."""
    file = getattr(args, "passphrase_file", None) or os.environ.get(PASSPHRASE_ENV)
    if file:
        return _from_file(Path(file))
    return _prompt(prompt, confirm=confirm)


def unlock_if_encrypted(path: Path, args: argparse.Namespace) -> None:
    """Ask for the passphrase of an encrypted store this process has no key for yet."""
    from briefing.store import encryption

    if encryption.needs_passphrase(path):
        encryption.unlock(path, read_passphrase(args, f"Passphrase for {path.name}: "))


def new_store_key(args: argparse.Namespace):
    """The key of a store `--encrypt` asks to create encrypted."""
    from briefing.store import encryption

    return encryption.new_key(read_passphrase(args, "Passphrase for the new store: ", confirm=True))


def _report(what: str, converted) -> None:
    print(f"{what} {converted.store}")
    if converted.backups:
        print(f"{what} its {len(converted.backups)} backup(s) in the same way")
    for left in converted.left_plain:
        print(f"left as it was (not converted): {left}")


def encrypt(args: argparse.Namespace) -> int:
    from briefing.store import encryption

    path = _path(args)
    if not path.is_file():
        raise InputError(f"there is no store at {path}")
    if encryption.is_encrypted(path):
        raise InputError(f"{path} is already encrypted ('briefing passphrase' changes it)")
    converted = encryption.encrypt_store(
        path, read_passphrase(args, "New passphrase: ", confirm=True)
    )
    _report("encrypted", converted)
    print(
        "The plain file was overwritten with zeros and removed. On an SSD, a copy-on-write file "
        "system or in a snapshot, older copies of its blocks may survive: see the README."
    )
    return 0


def decrypt(args: argparse.Namespace) -> int:
    from briefing.store import encryption

    path = _path(args)
    if not encryption.is_encrypted(path):
        raise InputError(f"{path} is not an encrypted store")
    unlock_if_encrypted(path, args)
    _report("decrypted", encryption.decrypt_store(path))
    return 0


def passphrase(args: argparse.Namespace) -> int:
    from briefing.store import encryption

    path = _path(args)
    if not encryption.is_encrypted(path):
        raise InputError(f"{path} is not encrypted ('briefing encrypt' encrypts it)")
    unlock_if_encrypted(path, args)
    if args.new_passphrase_file is not None:
        new = _from_file(args.new_passphrase_file)
    else:
        new = _prompt("New passphrase: ", confirm=True)
    _report("changed the passphrase of", encryption.change_passphrase(path, new))
    return 0
