"""The pack file: writing one whole or not at all, and reading one that may be hostile.

A pack (`.briefingpack`) is a zip archive holding exactly:

- `manifest.json`: the format's name and version, what was shared, and every record (topic,
  stakeholders, positions, questions, answers, events, quotes, notes, briefings) as JSON;
- `sources/<uuid>.txt`: the full text of each source, UTF-8, whose sha256 the manifest states.

`docs/packs.md` describes every field. This module knows the file, not the store: it turns a
manifest dictionary and source texts into a file (`write_pack`), and a file into a checked `Pack`
(`read_pack`), or refuses it with a `PackError` that says what is wrong in words.

A pack comes from someone else, so reading trusts nothing and writes nothing. The checks run in
this order, each before the next step can cost anything:

1. the file itself: its size, and what its first bytes say it is (a Briefing store, another
   SQLite database, a file that is not a zip, a zip whose end is missing: truncated);
2. the zip's directory, before any entry is read: the number of entries, names (no `..`, no
   absolute path, no backslash, no drive, no directory), duplicates, encryption, and the
   uncompressed sizes it declares (each, in total, and against the compressed size: a zip bomb
   declares a huge size or a ratio no honest text has);
3. reading: every entry is read with a cap of the size it declared, so a directory that lies
   stops at the cap; the zip's CRC check catches damage;
4. the manifest: JSON, the format and version, the type and length of every field, the number of
   records, unique UUIDs, references that point at records of the pack;
5. the sources: UTF-8 text whose sha256 is the one stated (a single mismatch refuses the whole
   pack), and every quote's offsets inside its source's text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError, InputError
from briefing.store.models import (
    ANSWERS,
    ATTRIBUTIONS,
    BRIEFING_ITEM_KINDS,
    DATE_PRECISIONS,
    NOTE_TARGETS,
    STANCES,
    Stakeholder,
)

FORMAT = "briefing-pack"
VERSION = 1
SUFFIX = ".briefingpack"
MANIFEST = "manifest.json"
SOURCE_FOLDER = "sources/"

# Limits a pack must stay within. A real topic is far below all of them: the benchmark's largest
# topic (10,000 quotes over 6,000 sources) is a 7 MB pack with an 11 MB manifest.
MAX_FILE_BYTES = 2 * 1024**3  # the pack file itself
MAX_TOTAL_BYTES = 2 * 1024**3  # every entry uncompressed, together
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # one source's text: what `import-source` accepts
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 200_000
MAX_RECORDS = 1_000_000  # of one kind
MAX_RATIO = 200  # uncompressed / compressed, for entries over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_JSON_DEPTH = 8  # the manifest's own nesting is 5 deep

SQLITE_HEADER = b"SQLite format 3\x00"
BRIEFING_APPLICATION_ID = 0x42524946
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class PackError(InputError):
    """A pack that cannot be read or would be unsafe to merge; nothing was changed."""


class PackCancelled(BriefingError):
    """The user cancelled writing or importing a pack; nothing was written or changed."""


def quiet(_done: int, _total: int) -> None:
    """A progress callback for work nobody watches (the command line, tests)."""


def _never() -> bool:
    return False


# -- writing -----------------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_entry_name(uuid: str) -> str:
    return f"{SOURCE_FOLDER}{uuid}.txt"


def write_pack(
    path: Path,
    manifest: dict[str, Any],
    texts: dict[str, str],
    *,
    progress: Progress = quiet,
    cancelled: Cancelled = _never,
    passphrase: str | None = None,
) -> int:
    """Write the manifest and each source's text (by uuid) to `path` under a temporary name in
    the same folder, then rename it into place. Returns the file's size in bytes.

    With a `passphrase` the zip is built in memory and only its sealed form is written
    (`briefing.core.pack_crypto`)."""
    path = Path(path).expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror}") from error
    total = len(texts) + 1
    try:
        with os.fdopen(handle, "wb") as file:
            memory = io.BytesIO() if passphrase is not None else None
            with zipfile.ZipFile(
                memory if memory is not None else file,
                "w",
                compression=zipfile.ZIP_DEFLATED,
                compresslevel=_LEVEL,
            ) as archive:
                for done, (uuid, text) in enumerate(texts.items()):
                    if cancelled():
                        raise PackCancelled(f"sharing was cancelled; {path.name} was not written")
                    archive.writestr(
                        _entry(source_entry_name(uuid)), text.encode("utf-8"), compresslevel=_LEVEL
                    )
                    progress(done + 1, total)
                # Compact: the C encoder (an indent would mean the slow pure-Python one).
                data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
                data = data.encode("utf-8")
                archive.writestr(_entry(MANIFEST), data, compresslevel=_LEVEL)
            if memory is not None:
                from briefing.core.pack_crypto import seal

                file.write(seal(memory.getvalue(), passphrase))
            file.flush()
            os.fchmod(file.fileno(), 0o644)
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {error.strerror}; nothing was written") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    progress(total, total)
    return path.stat().st_size


_LEVEL = 1  # deflate's fastest: text still shrinks about 3 times, in a fraction of the time


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes every time
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


# -- reading: the file and the archive ---------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    """A pack that passed every check: its manifest (dates parsed) and its sources' texts."""

    path: Path
    manifest: dict[str, Any]
    texts: dict[str, str]  # source uuid -> text, sha256 checked

    @property
    def include_private(self) -> bool:
        return bool(self.manifest["include_private"])

    def records(self, kind: str) -> list[dict[str, Any]]:
        return self.manifest[kind]


def _what_file(path: Path, head: bytes) -> str | None:
    """Why a file that is not a zip is not a pack, in words, or None if it may be one."""
    if head.startswith(SQLITE_HEADER):
        if len(head) >= 72 and int.from_bytes(head[68:72], "big") == BRIEFING_APPLICATION_ID:
            return (
                f"{path.name} is a Briefing store, not a pack; share a topic from it with "
                "`briefing pack export`, and import that file"
            )
        return f"{path.name} is a SQLite database, not a Briefing pack"
    if head.startswith(b"%PDF"):
        return f"{path.name} is a PDF, not a Briefing pack"
    return None


def is_sealed_pack(path: Path) -> bool:
    """Whether the file is a pack with its own passphrase (`pack_crypto`)."""
    from briefing.core.pack_crypto import is_sealed

    try:
        with Path(path).open("rb") as file:
            return is_sealed(file.read(64))
    except OSError:
        return False


def _open_archive(path: Path, passphrase: str | None = None) -> zipfile.ZipFile:
    path = Path(path)
    if not path.exists():
        raise PackError(f"there is no file {path}")
    if not path.is_file():
        raise PackError(f"{path} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise PackError(f"{path.name} is empty, not a Briefing pack")
    if size > MAX_FILE_BYTES:
        raise PackError(
            f"{path.name} is {size / 1024**3:.1f} GB, more than a pack may be "
            f"({MAX_FILE_BYTES / 1024**3:.0f} GB)"
        )
    try:
        with path.open("rb") as file:
            head = file.read(100)
    except OSError as error:
        raise PackError(f"cannot read {path}: {error.strerror}") from error
    from briefing.core import pack_crypto

    if pack_crypto.is_sealed(head):
        if passphrase is None:
            raise pack_crypto.PackPassphraseError(
                f"{path.name} is a pack with a passphrase: give it (--pack-passphrase-file FILE, "
                "or type it when asked on a terminal); nothing was imported"
            )
        try:
            sealed = path.read_bytes()
        except OSError as error:
            raise PackError(f"cannot read {path}: {error.strerror}") from error
        data = pack_crypto.unseal(sealed, passphrase, path.name)
        try:
            return zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as error:
            raise PackError(f"{path.name} is damaged: its zip cannot be read ({error})") from error
    if (why := _what_file(path, head)) is not None:
        raise PackError(why)
    if not head.startswith(b"PK"):
        raise PackError(f"{path.name} is not a Briefing pack (it is not a zip file)")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise PackError(
            f"{path.name} is damaged or truncated: its zip directory cannot be read ({error})"
        ) from error
    except OSError as error:
        raise PackError(f"cannot read {path}: {error.strerror}") from error


def _bad_name(name: str) -> str | None:
    if not name:
        return "an entry without a name"
    if "\\" in name or "\0" in name:
        return f"an entry named {name!r} (backslash or NUL in a name)"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"an entry with an absolute path, {name!r}"
    parts = name.split("/")
    if any(part in ("..", ".") for part in parts):
        return f"an entry that climbs out of the pack, {name!r}"
    if name.endswith("/") or any(part == "" for part in parts):
        return f"a folder or an empty name part, {name!r}"
    return None


def _check_directory(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Check every entry's name and declared size before a byte of any entry is read."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackError(
            f"{path.name} holds {len(infos):,} files, more than a pack may ({MAX_ENTRIES:,})"
        )
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if (why := _bad_name(name)) is not None:
            raise PackError(f"{path.name} is refused: it holds {why}")
        if name in by_name:
            raise PackError(f"{path.name} is refused: it holds {name!r} twice")
        if name != MANIFEST and not (
            name.startswith(SOURCE_FOLDER) and name.count("/") == 1 and name.endswith(".txt")
        ):
            raise PackError(f"{path.name} is refused: it holds {name!r}, which no pack holds")
        if info.flag_bits & 0x1:
            raise PackError(f"{path.name} is refused: {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackError(f"{path.name} is refused: {name!r} uses an unknown compression")
        limit = MAX_MANIFEST_BYTES if name == MANIFEST else MAX_SOURCE_BYTES
        if info.file_size > limit:
            raise PackError(
                f"{path.name} is refused: {name!r} would unpack to {_size(info.file_size)}, more "
                f"than {_size(limit)}"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackError(
                f"{path.name} is refused: {name!r} would unpack {info.compress_size:,} bytes to "
                f"{_size(info.file_size)}, as a zip bomb does"
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PackError(
                f"{path.name} is refused: its files would unpack to more than "
                f"{_size(MAX_TOTAL_BYTES)}"
            )
        by_name[name] = info
    if MANIFEST not in by_name:
        raise PackError(f"{path.name} is a zip file but not a Briefing pack (no {MANIFEST})")
    return by_name


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n:,} bytes"


def _read_entry(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, never more than it declared (a lying directory stops at the cap)."""
    try:
        with archive.open(info) as entry:
            data = entry.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise PackError(
            f"{path.name} is damaged or truncated: {info.filename!r} cannot be read ({error})"
        ) from error
    if len(data) != info.file_size:
        raise PackError(
            f"{path.name} is damaged: {info.filename!r} is not the size its directory states"
        )
    return data


# -- reading: the manifest ---------------------------------------------------------------------


class _Checker:
    """Checks the manifest's fields one by one, naming the first wrong one in words."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> PackError:
        return PackError(f"{self.name} is refused: {where} {problem}")

    def record(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"should be an object, not {_kind(value)}")
        return value

    def field(self, record: dict, key: str, where: str) -> Any:
        if key not in record:
            raise self.fail(where, f"lacks its {key!r}")
        return record[key]

    def text(self, record: dict, key: str, where: str, limit: int, *, empty: bool = True) -> str:
        value = self.field(record, key, where)
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"should be text, not {_kind(value)}")
        if len(value) > limit:
            raise self.fail(f"{where}.{key}", f"is {len(value):,} characters, more than {limit:,}")
        if not empty and not value.strip():
            raise self.fail(f"{where}.{key}", "is empty")
        if "\0" in value:
            raise self.fail(f"{where}.{key}", "holds a NUL character")
        return value

    def choice(self, record: dict, key: str, where: str, choices) -> str:
        value = self.field(record, key, where)
        if not isinstance(value, str) or value not in choices:
            raise self.fail(f"{where}.{key}", f"should be one of {', '.join(choices)}")
        return value

    def integer(self, record: dict, key: str, where: str, low: int, high: int, *, null=False):
        value = self.field(record, key, where)
        if value is None and null:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"should be a whole number, not {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(f"{where}.{key}", f"should be between {low} and {high}")
        return value

    def boolean(self, record: dict, key: str, where: str) -> bool:
        value = self.field(record, key, where)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"should be true or false, not {_kind(value)}")
        return value

    def uuid(self, record: dict, key: str, where: str, *, null: bool = False) -> str | None:
        value = self.field(record, key, where)
        if value is None and null:
            return None
        if not isinstance(value, str) or not _UUID.match(value):
            raise self.fail(f"{where}.{key}", "should be a UUID (lower-case hex)")
        return value

    def date(self, record: dict, key: str, where: str, *, null: bool = False):
        value = self.field(record, key, where)
        if value is None and null:
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(f"{where}.{key}", "should be a date, YYYY-MM-DD")

    def time(self, record: dict, key: str, where: str) -> dt.datetime:
        value = self.field(record, key, where)
        if isinstance(value, str) and len(value) <= 40:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                return parsed.astimezone(dt.UTC)
        raise self.fail(f"{where}.{key}", "should be a UTC time, YYYY-MM-DDTHH:MM:SS+00:00")

    def items(self, record: dict, key: str, where: str, limit: int | None = None) -> list:
        limit = MAX_RECORDS if limit is None else limit
        value = self.field(record, key, where)
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"should be a list, not {_kind(value)}")
        if len(value) > limit:
            raise self.fail(f"{where}.{key}", f"holds {len(value):,} entries, more than {limit:,}")
        return value

    def tags(self, record: dict, where: str) -> list[str]:
        names = self.items(record, "tags", where, limit=1000)
        for n, name in enumerate(names):
            if not isinstance(name, str) or not name.strip() or len(name) > 100 or "," in name:
                raise self.fail(f"{where}.tags[{n}]", "should be a tag name (1-100 characters)")
        return [" ".join(name.split()) for name in names]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _depth(value: Any, limit: int) -> bool:
    """Whether `value` nests no deeper than `limit` (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return True


KINDS = (
    "stakeholders",
    "sources",
    "positions",
    "quotes",
    "questions",
    "answers",
    "events",
    "notes",
    "briefings",
)


def check_manifest(name: str, raw: Any) -> dict[str, Any]:
    """The manifest with every field checked and dates parsed, or PackError naming the first
    problem. References are checked to point at records of the pack."""
    c = _Checker(name)
    top = c.record(raw, "the manifest")
    fmt = top.get("format")
    if fmt != FORMAT:
        raise PackError(f"{name} is not a Briefing pack (its manifest's format is {fmt!r})")
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise c.fail("the manifest's version", "should be a whole number")
    if version > VERSION:
        raise PackError(
            f"{name} is a pack of version {version}, written by a newer Briefing; this app reads "
            f"version {VERSION} packs; update the app to import it"
        )
    if version < 1:
        raise c.fail("the manifest's version", f"{version} is not a pack version")

    out: dict[str, Any] = {"format": FORMAT, "version": version}
    out["include_private"] = c.boolean(top, "include_private", "the manifest")
    out["created_at"] = c.time(top, "created_at", "the manifest")
    out["app"] = c.text(top, "app", "the manifest", 100)
    t = c.record(c.field(top, "topic", "the manifest"), "the topic")
    out["topic"] = _record_times(
        c,
        t,
        "the topic",
        uuid=c.uuid(t, "uuid", "the topic"),
        name=c.text(t, "name", "the topic", 200, empty=False),
        description=c.text(t, "description", "the topic", 100_000),
    )
    for kind in KINDS:
        out[kind] = []
        for n, entry in enumerate(c.items(top, kind, "the manifest")):
            where = f"{kind}[{n}]"
            out[kind].append(_CHECKS[kind](c, c.record(entry, where), where))
    _check_references(c, out)
    return out


def _record_times(c: _Checker, r: dict, where: str, **fields) -> dict[str, Any]:
    fields["created_at"] = c.time(r, "created_at", where)
    fields["updated_at"] = c.time(r, "updated_at", where)
    return fields


def _stakeholder(c: _Checker, r: dict, w: str) -> dict:
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        name=c.text(r, "name", w, 200, empty=False),
        kind=c.choice(r, "kind", w, Stakeholder.KINDS),
        description=c.text(r, "description", w, 1_000_000),
        parent=c.uuid(r, "parent", w, null=True),
        influence=c.integer(r, "influence", w, 1, 5, null=True),
        on_topic=c.boolean(r, "on_topic", w),
    )


def _source(c: _Checker, r: dict, w: str) -> dict:
    uuid = c.uuid(r, "uuid", w)
    sha = c.text(r, "sha256", w, 64)
    if not _SHA256.match(sha):
        raise c.fail(f"{w}.sha256", "should be 64 lower-case hex digits")
    pages = c.field(r, "page_starts", w)
    if pages is not None:
        pages = c.items(r, "page_starts", w, limit=100_000)
        if not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in pages):
            raise c.fail(f"{w}.page_starts", "should be a list of offsets")
    return _record_times(
        c,
        r,
        w,
        uuid=uuid,
        title=c.text(r, "title", w, 500, empty=False),
        publisher=c.text(r, "publisher", w, 200),
        author=c.text(r, "author", w, 200),
        url=c.text(r, "url", w, 2000),
        published=c.date(r, "published", w, null=True),
        kind=c.text(r, "kind", w, 40, empty=False),
        description=c.text(r, "description", w, 1_000_000),
        sha256=sha,
        bytes=c.integer(r, "bytes", w, 1, MAX_SOURCE_BYTES),
        page_starts=pages,
        revision_of=c.uuid(r, "revision_of", w, null=True),
        tags=c.tags(r, w),
        primary_for=_primary_for(c, r, w),
    )


def _primary_for(c: _Checker, r: dict, w: str) -> list[str]:
    """The stakeholders whose primary document the source is: optional, since packs written
    before it existed lack it (and then the source is nobody's primary document)."""
    if "primary_for" not in r:
        return []
    owners = c.items(r, "primary_for", w, limit=10_000)
    for n, owner in enumerate(owners):
        if not isinstance(owner, str) or not _UUID.match(owner):
            raise c.fail(f"{w}.primary_for[{n}]", "should be a stakeholder's UUID (lower-case hex)")
    return list(dict.fromkeys(owners))


def _position(c: _Checker, r: dict, w: str) -> dict:
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        stakeholder=c.uuid(r, "stakeholder", w),
        stance=c.choice(r, "stance", w, STANCES),
        headline=c.text(r, "headline", w, 300),
        summary=c.text(r, "summary", w, 1_000_000),
        as_of=c.date(r, "as_of", w),
    )


def _quote(c: _Checker, r: dict, w: str) -> dict:
    start = c.integer(r, "start", w, 0, MAX_SOURCE_BYTES)
    end = c.integer(r, "end", w, 1, MAX_SOURCE_BYTES)
    if end <= start:
        raise c.fail(f"{w}", "ends before it starts")
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        source=c.uuid(r, "source", w),
        start=start,
        end=end,
        text=c.text(r, "text", w, MAX_SOURCE_BYTES, empty=False),
        speaker=c.uuid(r, "speaker", w, null=True),
        said_on=c.date(r, "said_on", w, null=True),
        attribution=c.choice(r, "attribution", w, ATTRIBUTIONS),
        tags=c.tags(r, w),
    )


def _question(c: _Checker, r: dict, w: str) -> dict:
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        text=c.text(r, "text", w, 500, empty=False),
        sort_order=c.integer(r, "sort_order", w, -(2**31), 2**31),
    )


def _answer(c: _Checker, r: dict, w: str) -> dict:
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        question=c.uuid(r, "question", w),
        stakeholder=c.uuid(r, "stakeholder", w),
        answer=c.choice(r, "answer", w, ANSWERS),
        quote=c.uuid(r, "quote", w, null=True),
        comment=c.text(r, "comment", w, 1_000_000),
    )


def _event(c: _Checker, r: dict, w: str) -> dict:
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        occurred_on=c.date(r, "occurred_on", w),
        precision=c.choice(r, "precision", w, DATE_PRECISIONS),
        title=c.text(r, "title", w, 500, empty=False),
        stakeholder=c.uuid(r, "stakeholder", w, null=True),
        source=c.uuid(r, "source", w, null=True),
    )


def _note(c: _Checker, r: dict, w: str) -> dict:
    target = c.record(c.field(r, "target", w), f"{w}.target")
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        body=c.text(r, "body", w, 10_000_000, empty=False),
        private=c.boolean(r, "private", w),
        target_kind=c.choice(target, "kind", f"{w}.target", NOTE_TARGETS),
        target=c.uuid(target, "uuid", f"{w}.target"),
        tags=c.tags(r, w),
    )


def _briefing(c: _Checker, r: dict, w: str) -> dict:
    items = []
    for n, raw in enumerate(c.items(r, "items", w, limit=100_000)):
        iw = f"{w}.items[{n}]"
        item = c.record(raw, iw)
        items.append(
            _record_times(
                c,
                item,
                iw,
                uuid=c.uuid(item, "uuid", iw),
                kind=c.choice(item, "kind", iw, BRIEFING_ITEM_KINDS),
                sort_order=c.integer(item, "sort_order", iw, -(2**31), 2**31),
                stakeholder=c.uuid(item, "stakeholder", iw, null=True),
                quote=c.uuid(item, "quote", iw, null=True),
                note=c.uuid(item, "note", iw, null=True),
            )
        )
    return _record_times(
        c,
        r,
        w,
        uuid=c.uuid(r, "uuid", w),
        title=c.text(r, "title", w, 300, empty=False),
        audience=c.text(r, "audience", w, 300),
        author=c.text(r, "author", w, 200),
        dated=c.date(r, "dated", w, null=True),
        introduction=c.text(r, "introduction", w, 1_000_000),
        include_private=c.boolean(r, "include_private", w),
        page_size=c.choice(r, "page_size", w, ("A4", "Letter")),
        items=items,
    )


_CHECKS = {
    "stakeholders": _stakeholder,
    "sources": _source,
    "positions": _position,
    "quotes": _quote,
    "questions": _question,
    "answers": _answer,
    "events": _event,
    "notes": _note,
    "briefings": _briefing,
}


def _check_references(c: _Checker, m: dict[str, Any]) -> None:
    uuids: dict[str, set[str]] = {"topic": {m["topic"]["uuid"]}}
    for kind in KINDS:
        seen: set[str] = set()
        for n, record in enumerate(m[kind]):
            if record["uuid"] in seen:
                raise c.fail(f"{kind}[{n}]", f"repeats the UUID {record['uuid']}")
            seen.add(record["uuid"])
        uuids[kind] = seen
    items = [item for b in m["briefings"] for item in b["items"]]
    if len({item["uuid"] for item in items}) != len(items):
        raise c.fail("a briefing's items", "repeat a UUID")

    def ref(kind: str, where: str, value: str | None, target: str) -> None:
        if value is not None and value not in uuids[target]:
            raise c.fail(where, f"refers to {value}, which is not among the pack's {target}")

    for n, r in enumerate(m["stakeholders"]):
        ref("stakeholders", f"stakeholders[{n}].parent", r["parent"], "stakeholders")
    for n, r in enumerate(m["sources"]):
        ref("sources", f"sources[{n}].revision_of", r["revision_of"], "sources")
        for k, owner in enumerate(r["primary_for"]):
            ref("sources", f"sources[{n}].primary_for[{k}]", owner, "stakeholders")
    for n, r in enumerate(m["positions"]):
        ref("positions", f"positions[{n}].stakeholder", r["stakeholder"], "stakeholders")
    for n, r in enumerate(m["quotes"]):
        ref("quotes", f"quotes[{n}].source", r["source"], "sources")
        ref("quotes", f"quotes[{n}].speaker", r["speaker"], "stakeholders")
    for n, r in enumerate(m["answers"]):
        ref("answers", f"answers[{n}].question", r["question"], "questions")
        ref("answers", f"answers[{n}].stakeholder", r["stakeholder"], "stakeholders")
        ref("answers", f"answers[{n}].quote", r["quote"], "quotes")
    for n, r in enumerate(m["events"]):
        ref("events", f"events[{n}].stakeholder", r["stakeholder"], "stakeholders")
        ref("events", f"events[{n}].source", r["source"], "sources")
    plural = {
        "topic": "topic",
        "stakeholder": "stakeholders",
        "position": "positions",
        "quote": "quotes",
        "source": "sources",
        "briefing": "briefings",
    }
    for n, r in enumerate(m["notes"]):
        ref("notes", f"notes[{n}].target", r["target"], plural[r["target_kind"]])
    for b, briefing in enumerate(m["briefings"]):
        for n, item in enumerate(briefing["items"]):
            where = f"briefings[{b}].items[{n}]"
            ref("items", f"{where}.stakeholder", item["stakeholder"], "stakeholders")
            ref("items", f"{where}.quote", item["quote"], "quotes")
            ref("items", f"{where}.note", item["note"], "notes")
            wanted = {"stakeholder": "stakeholder", "quote": "quote", "note": "note"}
            field = wanted.get(item["kind"])
            if field is not None and item[field] is None:
                raise c.fail(where, f"is a {item['kind']} item that names no {item['kind']}")


# -- reading: all of it ------------------------------------------------------------------------


def read_pack(
    path: Path | str,
    *,
    progress: Progress = quiet,
    cancelled: Cancelled = _never,
    passphrase: str | None = None,
) -> Pack:
    """Read and check a pack completely, or refuse it with a PackError; nothing is written.
    A pack with its own passphrase needs `passphrase` (else a PackPassphraseError)."""
    path = Path(path).expanduser()
    name = path.name
    with _open_archive(path, passphrase) as archive:
        entries = _check_directory(path, archive)
        raw = _read_entry(path, archive, entries[MANIFEST])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PackError(f"{name} is refused: its manifest is not UTF-8 text") from error
        try:
            data = json.loads(text)
        except RecursionError as error:
            raise PackError(f"{name} is refused: its manifest nests too deeply") from error
        except json.JSONDecodeError as error:
            raise PackError(
                f"{name} is refused: its manifest is not valid JSON ({error.msg} at line "
                f"{error.lineno}, column {error.colno})"
            ) from error
        if not _depth(data, MAX_JSON_DEPTH):
            raise PackError(f"{name} is refused: its manifest nests too deeply")
        manifest = check_manifest(name, data)

        sources = manifest["sources"]
        listed = {source_entry_name(s["uuid"]) for s in sources}
        for entry in entries:
            if entry != MANIFEST and entry not in listed:
                raise PackError(f"{name} is refused: it holds {entry!r}, which no source names")
        texts: dict[str, str] = {}
        total = len(sources)
        for done, source in enumerate(sources):
            if cancelled():
                raise PackCancelled(f"reading {name} was cancelled; nothing was changed")
            entry = source_entry_name(source["uuid"])
            info = entries.get(entry)
            if info is None:
                raise PackError(
                    f"{name} is refused: the text of source {source['title']!r} ({entry}) is "
                    "missing"
                )
            if info.file_size != source["bytes"]:
                raise PackError(
                    f"{name} is refused: {entry} is {info.file_size:,} bytes, not the "
                    f"{source['bytes']:,} its manifest states"
                )
            data_bytes = _read_entry(path, archive, info)
            if sha256_bytes(data_bytes) != source["sha256"]:
                raise PackError(
                    f"{name} is refused: the text of source {source['title']!r} does not match "
                    "its sha256; the pack was changed or damaged, and nothing of it was imported"
                )
            try:
                texts[source["uuid"]] = data_bytes.decode("utf-8")
            except UnicodeDecodeError as error:
                raise PackError(
                    f"{name} is refused: the text of source {source['title']!r} is not UTF-8"
                ) from error
            progress(done + 1, total)
    by_uuid = {s["uuid"]: s for s in sources}
    for n, quote in enumerate(manifest["quotes"]):
        source_text = texts[quote["source"]]
        if quote["end"] > len(source_text):
            raise PackError(
                f"{name} is refused: quotes[{n}] ends at {quote['end']:,}, beyond the end of "
                f"its source {by_uuid[quote['source']]['title']!r} ({len(source_text):,} "
                "characters)"
            )
    return Pack(path, manifest, texts)
