"""Attune's memory: users, sessions and turns, encrypted at rest, behind a small repository interface.

Usage::

    store = open_store(settings)              # SqliteStore at <data_dir>/attune.db
    store.ensure_user(uid); store.start_session(uid, sid, time.time())
    store.append_turn(sid, "user", text)      # durable (fsynced) when it returns

Storage and durability
    One SQLite file, WAL journal, ``synchronous=FULL``: every commit fsyncs the WAL, so a turn that
    ``append_turn`` has returned for survives SIGKILL *and* power loss. (WAL + NORMAL would already
    survive SIGKILL — the committed frames sit in the OS page cache — but not a power cut; a turn
    arrives every few seconds, so one fsync per turn costs nothing that matters.)

Threads and asyncio
    One connection guarded by a re-entrant lock, so a ``SqliteStore`` may be shared by any number
    of threads. Each operation is about a millisecond (mostly the fsync); from async code call it
    via ``asyncio.to_thread``. Several processes (web app +
    CLI) may open the same file: writes take ``BEGIN IMMEDIATE`` and wait up to 5 s for the lock.

Encryption (envelope, for crypto-shredding)
    A master key (``Settings.key`` / ``ATTUNE_KEY``, or ``<data_dir>/key`` created 0600 on first
    run) is a Fernet-format key: 32 random bytes, urlsafe base64. It only wraps per-user data keys.
    Each user gets a random 256-bit data key; everything that person wrote or that describes them
    in words (name, turns and their meta, summaries, coping cards, notes, feedback comments, engine
    state) is AES-256-GCM encrypted with it, bound by associated data to its row and column.
    Plain: ids, timestamps, roles, modality, status, moods, feedback score, risk flag (needed for
    the progress plot, and deleted with the rest). ``delete_user`` removes the rows *and* the wrapped
    key, then zeroes and compacts the file (secure_delete, WAL checkpoint TRUNCATE, VACUUM).

Unknown ids (documented behaviour)
    Reads return ``None`` / ``[]`` (``get_user``, ``load_state``, ``open_session``,
    ``last_completed_session``, ``list_sessions``, ``turns``); ``delete_user`` returns ``False``.
    Writes raise ``KeyError`` (``set_name``, ``start_session``, ``append_turn``, ``save_state``,
    ``update_session``), and so does ``export_user`` (an empty export would be misleading).

Failures (one line each, all :class:`StoreError`)
    Every SQLite or OS failure leaves the store as a :class:`StoreError` whose ``str()`` is one line
    saying what is wrong and what to do; the original exception is chained as ``__cause__``.
    :class:`DiskFullError` (the failed write was rolled back, everything saved before is intact, the
    store stays usable once space is freed), :class:`CorruptDatabaseError` (SQLite says the file is
    damaged or not a database), :class:`MissingDatabaseError` (the database is empty or missing beside
    an existing key file: the data is gone or moved; pass ``fresh=True`` to begin afresh),
    :class:`WrongKeyError`, :class:`InvalidKeyError`, :class:`CorruptDataError` (a ciphertext was
    altered). ``KeyError`` / ``ValueError`` / ``TypeError`` keep their documented meanings.
    ``export_user`` never fails for unreadable rows: it exports every value it can decrypt and lists
    the rest under ``"unreadable"``.

New keys
    When the store creates the master key file it sets ``store.key_created`` to its path (else None)
    and calls ``on_key_created(path)`` if given, so an interactive CLI can tell the person to back it up.
"""
from __future__ import annotations

import base64
import binascii
import errno
import contextlib
import functools
import json
import logging
import os
import secrets
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, TypeVar, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from attune.dialogue.settings import Settings

__all__ = [
    "Store", "SqliteStore", "open_store", "generate_master_key",
    "UserRecord", "SessionRecord", "TurnRecord",
    "StoreError", "InvalidKeyError", "WrongKeyError", "CorruptDataError",
    "MissingDatabaseError", "CorruptDatabaseError", "DiskFullError",
    "SESSION_STATUSES", "DB_NAME", "KEY_FILE_NAME",
]

log = logging.getLogger(__name__)

DB_NAME = "attune.db"
KEY_FILE_NAME = "key"
SESSION_STATUSES = ("open", "completed", "abandoned")
SCHEMA_VERSION = 1
_BLOB_VERSION = b"\x01"
_NONCE_LEN = 12
_KEYCHECK_PLAINTEXT = b"attune-master-key-check-v1"
_MAX_ID_LEN = 128


# ---------------------------------------------------------------- errors


class StoreError(Exception):
    """Base class for memory-store failures (other than unknown ids, which raise ``KeyError``)."""


class InvalidKeyError(StoreError, ValueError):
    """The configured master key is malformed (not 32 bytes of urlsafe base64)."""


class WrongKeyError(StoreError):
    """The master key cannot open this database (wrong key, or the key file went missing)."""


class CorruptDataError(StoreError):
    """A ciphertext failed authentication although the master key is right (tampering or corruption)."""


class MissingDatabaseError(StoreError):
    """The database is empty or missing although its key file exists: the data is gone or was moved.
    Restore it, or open with ``fresh=True`` to begin afresh (nothing is deleted either way)."""


class CorruptDatabaseError(StoreError):
    """SQLite reports the database file as damaged or not a database at all."""


class DiskFullError(StoreError):
    """The disk (or quota) holding the database is full. The failed write was rolled back; everything
    saved before it is intact, and the store works again once space is freed."""


_FRESH_HINT = "start afresh with --fresh-store (ATTUNE_FRESH_STORE=1)"

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _store_error(exc: BaseException, path: Path) -> StoreError:
    """The one-line :class:`StoreError` for an SQLite or OS failure on the database at ``path``."""
    if isinstance(exc, sqlite3.Error):
        msg = _one_line(str(exc)) or type(exc).__name__
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        low = msg.lower()
        if primary == _SQLITE_FULL or "database or disk is full" in low:
            return DiskFullError(
                f"the disk holding {path} is full ({msg}); free some space and try again — this change was "
                f"not saved, everything saved before it is intact")
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "not a database" in low or "malformed" in low:
            return CorruptDatabaseError(
                f"the database at {path} is corrupt ({msg}); restore it from a backup, or move it aside "
                f"and {_FRESH_HINT}")
        if primary == _SQLITE_CANTOPEN or "unable to open" in low:
            return StoreError(
                f"cannot open the database at {path} ({msg}); check that {path.parent} exists, is a "
                f"folder and is writable by this user")
        if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in low:
            return StoreError(
                f"the database at {path} cannot be written ({msg}); check the owner and permissions of "
                f"{path.parent} and the attune.db* files in it")
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in low:
            return StoreError(
                f"the database at {path} is locked by another process ({msg}); try again, or stop the "
                f"other Attune process")
        if primary == _SQLITE_IOERR or "i/o error" in low:
            return StoreError(
                f"disk I/O error on the database at {path} ({msg}); check the disk (free space, "
                f"permissions, system log) and try again")
        return StoreError(f"the database at {path} failed ({msg}); if this persists, restore it from a backup")
    if isinstance(exc, OSError):
        where = exc.filename or path
        reason = _one_line(exc.strerror or str(exc)) or type(exc).__name__
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DiskFullError(
                f"the disk holding {where} is full ({reason}); free some space and try again — this "
                f"change was not saved, everything saved before it is intact")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return StoreError(
                f"permission denied on {where} ({reason}); check that this user owns {path.parent} "
                f"and can read and write it")
        if exc.errno == errno.EROFS:
            return StoreError(f"{where} is on a read-only file system ({reason}); choose a writable data dir")
        return StoreError(f"cannot use {where} ({reason}); check the data dir {path.parent}")
    return StoreError(_one_line(str(exc)) or type(exc).__name__)


_F = TypeVar("_F", bound=Callable[..., Any])


def _guarded(fn: _F) -> _F:
    """Turn SQLite and OS failures in a store method into one-line :class:`StoreError`s.
    Programming errors (``sqlite3.ProgrammingError``/``InterfaceError``) are left alone."""
    @functools.wraps(fn)
    def wrapper(self: "SqliteStore", *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            raise _store_error(exc, self.path) from exc
    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    name: str | None
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    user_id: str
    started_at: float
    ended_at: float | None
    modality: str | None
    status: str
    mood_open: float | None
    mood_close: float | None
    feedback_score: float | None
    feedback_comment: str | None
    risk_flag: bool
    summary: str | None
    card: dict[str, Any] | None
    notes: Any
    turn_count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TurnRecord:
    session_id: str
    idx: int                 # 0-based position in the session
    role: str                # "user" | "assistant" | ... (not validated)
    text: str
    created_at: float
    meta: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- the interface


@runtime_checkable
class Store(Protocol):
    """The repository the engine, CLI and web app use. Implementations must be thread-safe."""

    def new_user_id(self) -> str: ...
    def ensure_user(self, user_id: str) -> UserRecord: ...
    def set_name(self, user_id: str, name: str | None) -> None: ...
    def get_user(self, user_id: str) -> UserRecord | None: ...
    def list_user_ids(self) -> list[str]: ...
    def start_session(self, user_id: str, session_id: str, started_at: float) -> None: ...
    def append_turn(self, session_id: str, role: str, text: str, meta: dict[str, Any] | None = None,
                    *, created_at: float | None = None) -> int: ...
    def save_state(self, session_id: str, state: dict[str, Any]) -> None: ...
    def load_state(self, session_id: str) -> dict[str, Any] | None: ...
    def update_session(self, session_id: str, **fields: Any) -> None: ...
    def get_session(self, session_id: str) -> SessionRecord | None: ...
    def open_session(self, user_id: str) -> SessionRecord | None: ...
    def last_completed_session(self, user_id: str) -> SessionRecord | None: ...
    def list_sessions(self, user_id: str) -> list[SessionRecord]: ...
    def turns(self, session_id: str) -> list[TurnRecord]: ...
    def export_user(self, user_id: str) -> dict[str, Any]: ...
    def delete_user(self, user_id: str) -> bool: ...
    def atomic(self) -> contextlib.AbstractContextManager[Any]: ...
    def close(self) -> None: ...


# ---------------------------------------------------------------- keys


def generate_master_key() -> str:
    """A fresh master key in the format ``ATTUNE_KEY`` expects (same as ``Fernet.generate_key()``)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _parse_master_key(key: str | bytes, source: str) -> bytes:
    raw_text = key.strip() if isinstance(key, str) else key.strip().decode("ascii", "replace")
    try:
        raw = base64.b64decode(raw_text.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise InvalidKeyError(
            f"master key from {source} is not a Fernet-format key (32 random bytes, urlsafe base64, "
            f"44 characters). Generate one with: python -c \"from attune.dialogue.memory import "
            f"generate_master_key as g; print(g())\"")
    return raw


def _wrap_cipher(raw_master: bytes) -> AESGCM:
    wrap_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"attune/v1/master-wrap").derive(raw_master)
    return AESGCM(wrap_key)


def _seal(cipher: AESGCM, plaintext: bytes, aad: str) -> bytes:
    nonce = secrets.token_bytes(_NONCE_LEN)
    return _BLOB_VERSION + nonce + cipher.encrypt(nonce, plaintext, aad.encode("utf-8"))


def _open(cipher: AESGCM, blob: bytes, aad: str) -> bytes:
    """Decrypt a blob; raises ``InvalidTag`` (or ``ValueError`` for a malformed blob)."""
    blob = bytes(blob)
    if len(blob) < 1 + _NONCE_LEN + 16 or blob[:1] != _BLOB_VERSION:
        raise ValueError("not an Attune ciphertext")
    return cipher.decrypt(blob[1:1 + _NONCE_LEN], blob[1 + _NONCE_LEN:], aad.encode("utf-8"))


# Associated data: binds each ciphertext to its row and column (a blob moved elsewhere won't open).
def _aad_wrap(user_id: str) -> str:
    return f"attune/v1/wrap/{user_id}"


def _aad_user(user_id: str, col: str) -> str:
    return f"attune/v1/user/{user_id}/{col}"


def _aad_session(session_id: str, col: str) -> str:
    return f"attune/v1/session/{session_id}/{col}"


def _aad_turn(session_id: str, idx: int, col: str) -> str:
    return f"attune/v1/turn/{session_id}/{idx}/{col}"


_AAD_KEYCHECK = "attune/v1/keycheck"


def _create_key_file(path: Path) -> tuple[str, bool]:
    """Create ``path`` holding a new master key, atomically and 0600; return ``(key, created)``.

    ``O_CREAT|O_EXCL`` guarantees only one process creates it; the loser reads the winner's key
    (``created`` False). If writing fails (e.g. a full disk) the partial file is removed, so a later
    run does not find an empty key file.
    """
    key = generate_master_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return _read_key_file(path), False
    try:
        try:
            os.fchmod(fd, 0o600)            # the umask can only narrow the mode; make it exact anyway
            data = (key + "\n").encode("ascii")
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        try:
            path.unlink()
        except OSError:  # pragma: no cover
            pass
        raise
    _fsync_dir(path.parent)
    log.info("created a new master key at %s (back it up: without it the data cannot be read)", path)
    return key, True


def _read_key_file(path: Path) -> str:
    deadline = time.monotonic() + 2.0
    while True:       # another process may have created the file and not yet written the key
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if text or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    st = path.stat()
    if st.st_mode & 0o077:
        log.warning("key file %s was readable by others (mode %o); tightening to 0600",
                    path, stat.S_IMODE(st.st_mode))
        try:
            os.chmod(path, 0o600)
        except OSError as exc:  # pragma: no cover - not our file
            log.warning("could not chmod %s: %s", path, exc)
    return text


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _ensure_private_dir(path: Path) -> None:
    if path.is_dir():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("data dir %s is accessible to other users (mode %o); consider chmod 700", path, mode)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        return
    os.chmod(path, 0o700)


# ---------------------------------------------------------------- helpers


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open, never masking the error that got us here."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:  # pragma: no cover - SQLite rolled back on its own
        log.warning("rollback failed: %s", _one_line(str(exc)))


def _check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_ID_LEN:
        raise ValueError(f"{what} must be a non-empty string of at most {_MAX_ID_LEN} characters")
    return value


def _check_number(name: str, value: Any, lo: float, hi: float) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (lo <= value <= hi):
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}] or None, got {value!r}")
    return value


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    k TEXT PRIMARY KEY,
    v BLOB
);
CREATE TABLE IF NOT EXISTS users (
    id          TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    wrapped_key BLOB NOT NULL,          -- user data key, AES-GCM-wrapped by the master key
    name_enc    BLOB
);
CREATE TABLE IF NOT EXISTS sessions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    started_at     REAL NOT NULL,
    ended_at       REAL,
    modality       TEXT,
    status         TEXT NOT NULL DEFAULT 'open',
    mood_open      NUMERIC,
    mood_close     NUMERIC,
    feedback_score NUMERIC,
    risk_flag      INTEGER NOT NULL DEFAULT 0,
    feedback_enc   BLOB,
    summary_enc    BLOB,
    card_enc       BLOB,
    notes_enc      BLOB,
    state_enc      BLOB
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_id, started_at);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    role       TEXT NOT NULL,
    created_at REAL NOT NULL,
    text_enc   BLOB NOT NULL,
    meta_enc   BLOB,
    PRIMARY KEY (session_id, idx)
) WITHOUT ROWID;
"""

# update_session(**fields): field -> (column, kind). kind "enc-*" columns are encrypted.
_SESSION_FIELDS: dict[str, tuple[str, str]] = {
    "modality": ("modality", "text"),
    "status": ("status", "status"),
    "ended_at": ("ended_at", "time"),
    "mood_open": ("mood_open", "mood"),
    "mood_close": ("mood_close", "mood"),
    "feedback_score": ("feedback_score", "feedback"),
    "risk_flag": ("risk_flag", "flag"),
    "feedback_comment": ("feedback_enc", "enc-text"),
    "summary": ("summary_enc", "enc-text"),
    "card": ("card_enc", "enc-json"),
    "notes": ("notes_enc", "enc-json"),
}
_ENC_COLUMN_AAD = {"feedback_enc": "feedback", "summary_enc": "summary", "card_enc": "card",
                   "notes_enc": "notes", "state_enc": "state"}

_SESSION_COLS = ("s.id, s.user_id, s.started_at, s.ended_at, s.modality, s.status, s.mood_open, "
                 "s.mood_close, s.feedback_score, s.risk_flag, s.feedback_enc, s.summary_enc, "
                 "s.card_enc, s.notes_enc, u.wrapped_key, "
                 "(SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id)")


# ---------------------------------------------------------------- SQLite implementation


class _Unreadable(Exception):
    """Internal: one value an export could not decrypt."""


class SqliteStore:
    """The default :class:`Store`: one SQLite file, WAL, encrypted columns. Thread-safe."""

    def __init__(self, path: str | os.PathLike[str], master_key: str | bytes | None = None,
                 *, key_file: str | os.PathLike[str] | None = None, busy_timeout_s: float = 5.0,
                 fresh: bool = False, on_key_created: Callable[[Path], None] | None = None) -> None:
        """Open (creating if needed) the database at ``path``.

        ``master_key``: Fernet-format key; if None, ``key_file`` (default ``<db dir>/key``) is read,
        or created 0600 when the database holds no data yet. Raises :class:`InvalidKeyError` for a
        malformed key and :class:`WrongKeyError` when the key does not match the database.

        ``fresh``: if the database file is missing or empty (0 bytes) while the key file exists, the
        data that was there is gone or moved, so this raises :class:`MissingDatabaseError` unless
        ``fresh`` is true; then an empty store is created with the existing key (a leftover
        ``-wal``/``-journal`` is renamed ``*.orphaned-<time>``, never deleted). ``fresh`` never touches
        a database that has content.

        ``on_key_created``: called with the key file's path if this call created a new master key
        (also left in ``self.key_created``; None when the key came from settings or an existing file).

        SQLite/OS failures raise one-line :class:`StoreError`s (:class:`CorruptDatabaseError`,
        :class:`DiskFullError`, ...).
        """
        self.path = Path(path).expanduser().resolve()
        self.key_created: Path | None = None
        self._lock = threading.RLock()
        self._keys: dict[bytes, AESGCM] = {}        # wrapped key blob -> unwrapped user cipher
        self._conn: sqlite3.Connection | None = None
        self._atomic_depth = 0
        kf = Path(key_file).expanduser() if key_file is not None else self.path.parent / KEY_FILE_NAME
        try:
            self._open_db(master_key, kf, busy_timeout_s, fresh, on_key_created)
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            raise _store_error(exc, self.path) from exc

    def _open_db(self, master_key: str | bytes | None, kf: Path, busy_timeout_s: float, fresh: bool,
                 on_key_created: Callable[[Path], None] | None) -> None:
        _ensure_private_dir(self.path.parent)
        self._refuse_lost_database(kf, fresh)
        # Pre-create the file 0600: SQLite gives -wal and -shm the same mode as the database.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=busy_timeout_s)
        try:
            self._configure(conn, busy_timeout_s)
            key_check = self._init_schema(conn)
            if master_key is not None:
                raw = _parse_master_key(master_key, "settings (ATTUNE_KEY)")
            else:
                raw = self._file_key(kf, key_check, on_key_created)
            self._master = _wrap_cipher(raw)
            self._verify_key(conn, key_check)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _refuse_lost_database(self, kf: Path, fresh: bool) -> None:
        """An empty or missing database beside an existing key file means the data is gone or moved.

        The key file is looked at first: a process creating a new store writes the database header
        (journal_mode=WAL, then the schema) before it creates the key, so once a key file exists a
        healthy database is never empty — no false alarm when two processes start a new store."""
        if not kf.exists():
            return
        try:
            size: int | None = self.path.stat().st_size
        except FileNotFoundError:
            size = None
        if size:
            return
        state = "missing" if size is None else "empty (0 bytes)"
        if not fresh:
            raise MissingDatabaseError(
                f"the database {self.path} is {state} but its encryption key {kf} exists, so the data that "
                f"was there is gone or moved; restore {self.path.name} from a backup, or, to begin a new "
                f"store with this key, {_FRESH_HINT}")
        log.warning("the database %s is %s; starting a fresh, empty store beside the existing key %s, as asked",
                    self.path, state, kf)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("-wal", "-journal"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists() and side.stat().st_size:
                aside = side.with_name(f"{side.name}.orphaned-{stamp}")
                side.rename(aside)
                log.warning("moved the leftover %s aside to %s (it belongs to the lost database)", side, aside)

    def _file_key(self, kf: Path, key_check: bytes | None,
                  on_key_created: Callable[[Path], None] | None) -> bytes:
        if kf.exists():
            text = _read_key_file(kf)
            if text:
                return _parse_master_key(text, str(kf))
            if key_check is not None:
                raise WrongKeyError(
                    f"the key file {kf} is empty but {self.path} holds data encrypted with the key that was "
                    f"in it; restore the key file from your backup")
            raise WrongKeyError(
                f"the key file {kf} is empty and {self.path} holds no data yet (an earlier first run was "
                f"interrupted); delete {kf} and start again")
        if key_check is not None:
            raise WrongKeyError(
                f"{self.path} holds encrypted data but the key file {kf} is missing and no "
                f"ATTUNE_KEY is set; restore the key (refusing to create a new one)")
        text, created = _create_key_file(kf)
        if created:
            self.key_created = kf
            if on_key_created is not None:
                on_key_created(kf)
        return _parse_master_key(text, str(kf))

    # -- setup

    @staticmethod
    def _configure(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        mode = SqliteStore._enter_wal(conn, busy_timeout_s)
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
            log.warning("SQLite refused WAL mode (journal_mode=%s); durability still holds", mode)
        conn.execute("PRAGMA synchronous = FULL")     # fsync every commit: see module docstring
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")     # overwrite deleted content with zeros

    @staticmethod
    def _enter_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> str:
        """Switch to WAL, retrying while another opener holds the lock.

        Changing the journal mode of a new file needs an exclusive lock, and SQLite answers BUSY at
        once there instead of calling the busy handler: two processes creating one store raced."""
        deadline = time.monotonic() + busy_timeout_s
        delay = 0.005
        while True:
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchall()[0][0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    @staticmethod
    def _init_schema(conn: sqlite3.Connection) -> bytes | None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"database schema version {version} is newer than this Attune ({SCHEMA_VERSION})")
        if version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        row = conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()
        return bytes(row[0]) if row else None

    def _verify_key(self, conn: sqlite3.Connection, key_check: bytes | None) -> None:
        if key_check is None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('key_check', ?)",
                             (_seal(self._master, _KEYCHECK_PLAINTEXT, _AAD_KEYCHECK),))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            key_check = bytes(conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()[0])
        try:
            ok = _open(self._master, key_check, _AAD_KEYCHECK) == _KEYCHECK_PLAINTEXT
        except (InvalidTag, ValueError):
            ok = False
        if not ok:
            raise WrongKeyError(f"the master key does not match {self.path} (check ATTUNE_KEY or the key file; "
                                f"restore the right key from your backup)")

    # -- plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("store is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (fsynced) on exit and rolled back on any error. Inside
        :meth:`atomic` it joins the outer transaction instead."""
        with self._lock:
            conn = self._connection()
            if self._atomic_depth:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)   # SQLite may already have rolled back (e.g. SQLITE_FULL)
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for multi-statement reads."""
        with self._lock:
            conn = self._connection()
            outer = not conn.in_transaction
            if outer:
                conn.execute("BEGIN")
            try:
                yield conn
            except BaseException:
                if outer:
                    _rollback(conn)
                raise
            if outer and conn.in_transaction:
                conn.execute("COMMIT")

    @contextmanager
    def atomic(self) -> Iterator["SqliteStore"]:
        """Group several writes into one transaction: all are saved (one fsync) or, if anything fails
        — e.g. :class:`DiskFullError` mid-turn — none is, so a retry does not duplicate half a turn.
        Holds the store lock for the block; ``delete_user`` may not be called inside. Nests."""
        with self._lock:
            if self._atomic_depth:
                self._atomic_depth += 1
                try:
                    yield self
                finally:
                    self._atomic_depth -= 1
                return
            try:
                with self._write():
                    self._atomic_depth = 1
                    try:
                        yield self
                    finally:
                        self._atomic_depth = 0
            except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise
            except (sqlite3.DatabaseError, OSError) as exc:
                raise _store_error(exc, self.path) from exc

    def _user_cipher(self, wrapped: bytes, user_id: str) -> AESGCM:
        wrapped = bytes(wrapped)
        cipher = self._keys.get(wrapped)
        if cipher is None:
            try:
                raw = _open(self._master, wrapped, _aad_wrap(user_id))
            except (InvalidTag, ValueError) as exc:
                raise CorruptDataError(
                    f"the data key of user {user_id!r} in {self.path} failed authentication (the file was "
                    f"altered or damaged); restore it from a backup") from exc
            cipher = AESGCM(raw)
            self._keys[wrapped] = cipher
        return cipher

    def _decrypt(self, cipher: AESGCM, blob: bytes | None, aad: str) -> bytes | None:
        if blob is None:
            return None
        try:
            return _open(cipher, blob, aad)
        except (InvalidTag, ValueError) as exc:
            raise CorruptDataError(
                f"a stored value ({aad}) in {self.path} failed authentication (the file was altered or "
                f"damaged); restore it from a backup — `attune data export` still saves every readable "
                f"value") from exc

    def _session_owner(self, conn: sqlite3.Connection, session_id: str) -> tuple[str, AESGCM]:
        row = conn.execute("SELECT s.user_id, u.wrapped_key FROM sessions s JOIN users u ON u.id = s.user_id "
                           "WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"unknown session {session_id!r}")
        return row[0], self._user_cipher(row[1], row[0])

    def _session_record(self, row: tuple[Any, ...]) -> SessionRecord:
        (sid, uid, started, ended, modality, status, mood_open, mood_close, fb, risk,
         fb_enc, summary_enc, card_enc, notes_enc, wrapped, n_turns) = row
        cipher = self._user_cipher(wrapped, uid)

        def text(blob: bytes | None, col: str) -> str | None:
            raw = self._decrypt(cipher, blob, _aad_session(sid, col))
            return None if raw is None else raw.decode("utf-8")

        def js(blob: bytes | None, col: str) -> Any:
            raw = self._decrypt(cipher, blob, _aad_session(sid, col))
            return None if raw is None else json.loads(raw)

        return SessionRecord(
            id=sid, user_id=uid, started_at=started, ended_at=ended, modality=modality, status=status,
            mood_open=mood_open, mood_close=mood_close, feedback_score=fb,
            feedback_comment=text(fb_enc, "feedback"), risk_flag=bool(risk),
            summary=text(summary_enc, "summary"), card=js(card_enc, "card"), notes=js(notes_enc, "notes"),
            turn_count=n_turns)

    def _select_sessions(self, conn: sqlite3.Connection, where: str, params: tuple[Any, ...],
                         order: str = "s.started_at DESC, s.rowid DESC", limit: int | None = None
                         ) -> list[SessionRecord]:
        sql = (f"SELECT {_SESSION_COLS} FROM sessions s JOIN users u ON u.id = s.user_id "
               f"WHERE {where} ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else ""))
        return [self._session_record(r) for r in conn.execute(sql, params).fetchall()]

    # -- users

    def new_user_id(self) -> str:
        """A fresh anonymous id, ``u_`` + 16 urlsafe characters (96 random bits). Does not create it."""
        return "u_" + secrets.token_urlsafe(12)

    @_guarded
    def ensure_user(self, user_id: str) -> UserRecord:
        """Return the user, creating it (with a fresh data key) if absent."""
        _check_id(user_id, "user_id")
        existing = self.get_user(user_id)
        if existing is not None:
            return existing
        data_key = AESGCM.generate_key(bit_length=256)
        wrapped = _seal(self._master, data_key, _aad_wrap(user_id))
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO users (id, created_at, wrapped_key) VALUES (?, ?, ?)",
                         (user_id, time.time(), wrapped))
        user = self.get_user(user_id)
        assert user is not None
        return user

    @_guarded
    def set_name(self, user_id: str, name: str | None) -> None:
        """Set (or, with None/blank, clear) the display name. ``KeyError`` if the user is unknown."""
        if name is not None and not isinstance(name, str):
            raise TypeError("name must be a str or None")
        name = (name or "").strip() or None
        with self._write() as conn:
            row = conn.execute("SELECT wrapped_key FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                raise KeyError(f"unknown user {user_id!r}")
            enc = None if name is None else _seal(self._user_cipher(row[0], user_id), name.encode("utf-8"),
                                                  _aad_user(user_id, "name"))
            conn.execute("UPDATE users SET name_enc = ? WHERE id = ?", (enc, user_id))

    @_guarded
    def get_user(self, user_id: str) -> UserRecord | None:
        """The user, or None if unknown."""
        with self._lock:
            row = self._connection().execute(
                "SELECT created_at, wrapped_key, name_enc FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            name = self._decrypt(self._user_cipher(row[1], user_id), row[2], _aad_user(user_id, "name"))
        return UserRecord(id=user_id, name=None if name is None else name.decode("utf-8"), created_at=row[0])

    @_guarded
    def list_user_ids(self) -> list[str]:
        """All user ids, oldest first (for admin commands)."""
        with self._lock:
            return [r[0] for r in self._connection().execute(
                "SELECT id FROM users ORDER BY created_at, rowid").fetchall()]

    # -- sessions

    @_guarded
    def start_session(self, user_id: str, session_id: str, started_at: float) -> None:
        """Record a new session with status "open". ``KeyError`` if the user is unknown;
        ``ValueError`` if ``session_id`` already exists."""
        _check_id(session_id, "session_id")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                raise KeyError(f"unknown user {user_id!r}")
            try:
                conn.execute("INSERT INTO sessions (id, user_id, started_at, status) VALUES (?, ?, ?, 'open')",
                             (session_id, user_id, float(started_at)))
            except sqlite3.IntegrityError as exc:
                raise ValueError(f"session {session_id!r} already exists") from exc

    @_guarded
    def append_turn(self, session_id: str, role: str, text: str, meta: dict[str, Any] | None = None,
                    *, created_at: float | None = None) -> int:
        """Append a turn; it is committed and fsynced when this returns. Returns its 0-based index.
        ``KeyError`` if the session is unknown."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        _check_id(role, "role")
        meta_bytes = None if meta is None else _dumps(meta)
        with self._write() as conn:
            _, cipher = self._session_owner(conn, session_id)
            idx = conn.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE session_id = ?",
                               (session_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO turns (session_id, idx, role, created_at, text_enc, meta_enc) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, idx, role, time.time() if created_at is None else float(created_at),
                 _seal(cipher, text.encode("utf-8"), _aad_turn(session_id, idx, "text")),
                 None if meta_bytes is None else _seal(cipher, meta_bytes, _aad_turn(session_id, idx, "meta"))))
        return idx

    @_guarded
    def save_state(self, session_id: str, state: dict[str, Any]) -> None:
        """Replace the engine's session state (JSON-serialisable), encrypted; durable on return."""
        payload = _dumps(state)
        with self._write() as conn:
            _, cipher = self._session_owner(conn, session_id)
            conn.execute("UPDATE sessions SET state_enc = ? WHERE id = ?",
                         (_seal(cipher, payload, _aad_session(session_id, "state")), session_id))

    @_guarded
    def load_state(self, session_id: str) -> dict[str, Any] | None:
        """The last saved state, or None (unknown session or nothing saved yet)."""
        with self._read() as conn:
            row = conn.execute("SELECT s.user_id, u.wrapped_key, s.state_enc FROM sessions s "
                               "JOIN users u ON u.id = s.user_id WHERE s.id = ?", (session_id,)).fetchone()
            if row is None or row[2] is None:
                return None
            raw = self._decrypt(self._user_cipher(row[1], row[0]), row[2], _aad_session(session_id, "state"))
        return json.loads(raw)  # type: ignore[arg-type]

    @_guarded
    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set any of: modality, status ("open"|"completed"|"abandoned"), ended_at, mood_open,
        mood_close (0–10), feedback_score (1–5), feedback_comment, risk_flag, summary, card (dict),
        notes (JSON). None clears a field (risk_flag None → False). ``KeyError`` for an unknown
        session, ``TypeError`` for an unknown field, ``ValueError`` for an out-of-range value."""
        unknown = set(fields) - set(_SESSION_FIELDS)
        if unknown:
            raise TypeError(f"update_session() got unknown field(s): {', '.join(sorted(unknown))}")
        if not fields:
            with self._lock:
                if self._connection().execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                    raise KeyError(f"unknown session {session_id!r}")
            return
        plain: dict[str, Any] = {}
        secret: dict[str, bytes | None] = {}
        for name, value in fields.items():
            col, kind = _SESSION_FIELDS[name]
            if kind == "text":
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{name} must be a str or None")
                plain[col] = value
            elif kind == "status":
                if value not in SESSION_STATUSES:
                    raise ValueError(f"status must be one of {SESSION_STATUSES}, got {value!r}")
                plain[col] = value
            elif kind == "time":
                plain[col] = None if value is None else float(value)
            elif kind == "mood":
                plain[col] = _check_number(name, value, 0, 10)
            elif kind == "feedback":
                plain[col] = _check_number(name, value, 1, 5)
            elif kind == "flag":
                plain[col] = 1 if value else 0
            elif kind == "enc-text":
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{name} must be a str or None")
                secret[col] = None if value is None else value.encode("utf-8")
            else:  # enc-json
                if name == "card" and value is not None and not isinstance(value, dict):
                    raise ValueError("card must be a dict or None")
                secret[col] = None if value is None else _dumps(value)
        with self._write() as conn:
            _, cipher = self._session_owner(conn, session_id)
            values: dict[str, Any] = dict(plain)
            for col, raw in secret.items():
                values[col] = None if raw is None else _seal(cipher, raw, _aad_session(session_id, _ENC_COLUMN_AAD[col]))
            assignments = ", ".join(f"{col} = ?" for col in values)
            conn.execute(f"UPDATE sessions SET {assignments} WHERE id = ?", (*values.values(), session_id))

    @_guarded
    def get_session(self, session_id: str) -> SessionRecord | None:
        """One session, decrypted, or None if unknown."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.id = ?", (session_id,))
        return found[0] if found else None

    @_guarded
    def open_session(self, user_id: str) -> SessionRecord | None:
        """The latest session still "open" (to resume after a crash), or None."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.user_id = ? AND s.status = 'open'", (user_id,), limit=1)
        return found[0] if found else None

    @_guarded
    def last_completed_session(self, user_id: str) -> SessionRecord | None:
        """The latest "completed" session (for the returning-person recall), or None."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.user_id = ? AND s.status = 'completed'", (user_id,), limit=1)
        return found[0] if found else None

    @_guarded
    def list_sessions(self, user_id: str) -> list[SessionRecord]:
        """All the user's sessions, newest first, decrypted; [] for an unknown user."""
        with self._read() as conn:
            return self._select_sessions(conn, "s.user_id = ?", (user_id,))

    @_guarded
    def turns(self, session_id: str) -> list[TurnRecord]:
        """The session's turns in order, decrypted; [] for an unknown session."""
        with self._read() as conn:
            try:
                _, cipher = self._session_owner(conn, session_id)
            except KeyError:
                return []
            rows = conn.execute("SELECT idx, role, created_at, text_enc, meta_enc FROM turns "
                                "WHERE session_id = ? ORDER BY idx", (session_id,)).fetchall()
            out = []
            for idx, role, created, text_enc, meta_enc in rows:
                text = self._decrypt(cipher, text_enc, _aad_turn(session_id, idx, "text"))
                meta = self._decrypt(cipher, meta_enc, _aad_turn(session_id, idx, "meta"))
                out.append(TurnRecord(session_id=session_id, idx=idx, role=role, text=text.decode("utf-8"),  # type: ignore[union-attr]
                                      created_at=created, meta=None if meta is None else json.loads(meta)))
        return out

    # -- export and delete

    @_guarded
    def export_user(self, user_id: str) -> dict[str, Any]:
        """Everything stored about the user, decrypted, JSON-serialisable; sessions oldest first,
        each with its turns and saved engine state. ``KeyError`` if the user is unknown.

        Never fails for a value it cannot decrypt (tampered or damaged): that value is exported as
        None and named in ``"unreadable"``, a list of ``{"table", "id", "column", "reason"}`` (ids:
        user id, session id, or ``"<session id>/<turn idx>"`` for turns); ``[]`` when all is well.
        A damaged SQLite file itself still raises :class:`CorruptDatabaseError`."""
        unreadable: list[dict[str, str]] = []

        def dec(cipher: AESGCM | None, blob: bytes | None, aad: str, table: str, rid: str, column: str,
                kind: str) -> Any:
            if blob is None:
                return None
            try:
                if cipher is None:
                    raise _Unreadable("the user's data key could not be unwrapped")
                try:
                    raw = _open(cipher, blob, aad)
                except (InvalidTag, ValueError) as exc:
                    raise _Unreadable("failed authentication (altered or damaged)") from exc
                try:
                    return raw.decode("utf-8") if kind == "text" else json.loads(raw)
                except ValueError as exc:  # pragma: no cover - needs the key to forge
                    raise _Unreadable("decrypted but not valid text/JSON") from exc
            except _Unreadable as exc:
                unreadable.append({"table": table, "id": rid, "column": column, "reason": str(exc)})
                return None

        with self._read() as conn:          # one snapshot for the whole export
            row = conn.execute("SELECT created_at, wrapped_key, name_enc FROM users WHERE id = ?",
                               (user_id,)).fetchone()
            if row is None:
                raise KeyError(f"unknown user {user_id!r}")
            created_at, wrapped, name_enc = row
            try:
                cipher: AESGCM | None = self._user_cipher(wrapped, user_id)
            except CorruptDataError:
                cipher = None
                unreadable.append({"table": "users", "id": user_id, "column": "wrapped_key",
                                   "reason": "the user's data key failed authentication (altered or damaged); "
                                             "none of their encrypted values can be read"})
            user = UserRecord(id=user_id, created_at=created_at,
                              name=dec(cipher, name_enc, _aad_user(user_id, "name"), "users", user_id, "name", "text"))
            sessions = []
            for (sid, started, ended, modality, status, mood_open, mood_close, fb, risk, fb_enc, summary_enc,
                 card_enc, notes_enc, state_enc) in conn.execute(
                    "SELECT id, started_at, ended_at, modality, status, mood_open, mood_close, feedback_score, "
                    "risk_flag, feedback_enc, summary_enc, card_enc, notes_enc, state_enc FROM sessions "
                    "WHERE user_id = ? ORDER BY started_at, rowid", (user_id,)).fetchall():
                def sdec(blob: bytes | None, col: str, kind: str) -> Any:
                    return dec(cipher, blob, _aad_session(sid, col), "sessions", sid, col, kind)

                turns = []
                for idx, role, created, text_enc, meta_enc in conn.execute(
                        "SELECT idx, role, created_at, text_enc, meta_enc FROM turns WHERE session_id = ? "
                        "ORDER BY idx", (sid,)).fetchall():
                    tid = f"{sid}/{idx}"
                    turns.append(TurnRecord(
                        session_id=sid, idx=idx, role=role, created_at=created,
                        text=dec(cipher, text_enc, _aad_turn(sid, idx, "text"), "turns", tid, "text", "text"),
                        meta=dec(cipher, meta_enc, _aad_turn(sid, idx, "meta"), "turns", tid, "meta", "json"),
                    ).to_dict())
                item = SessionRecord(
                    id=sid, user_id=user_id, started_at=started, ended_at=ended, modality=modality, status=status,
                    mood_open=mood_open, mood_close=mood_close, feedback_score=fb,
                    feedback_comment=sdec(fb_enc, "feedback", "text"), risk_flag=bool(risk),
                    summary=sdec(summary_enc, "summary", "text"), card=sdec(card_enc, "card", "json"),
                    notes=sdec(notes_enc, "notes", "json"), turn_count=len(turns)).to_dict()
                item["state"] = sdec(state_enc, "state", "json")
                item["turns"] = turns
                sessions.append(item)
        if unreadable:
            log.warning("export of a user: %d value(s) could not be decrypted and are listed under 'unreadable'",
                        len(unreadable))
        return {"format": "attune-export", "version": 1, "exported_at": time.time(),
                "user": user.to_dict(), "sessions": sessions, "unreadable": unreadable}

    @_guarded
    def delete_user(self, user_id: str) -> bool:
        """Delete the user, every session and turn, and their wrapped data key; then zero and compact
        the file (WAL checkpoint TRUNCATE + VACUUM) so nothing decryptable remains. False if unknown.

        Holds the store lock for the VACUUM (proportional to the database size). Not inside :meth:`atomic`."""
        with self._lock:
            if self._atomic_depth:      # only the lock holder can be inside atomic()
                raise RuntimeError("delete_user() cannot run inside atomic()")
            with self._write() as conn:
                row = conn.execute("SELECT wrapped_key FROM users WHERE id = ?", (user_id,)).fetchone()
                if row is None:
                    return False
                conn.execute("DELETE FROM turns WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)",
                             (user_id,))
                conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
                conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            self._keys.pop(bytes(row[0]), None)
            self._compact()
        return True

    def _compact(self) -> None:
        """Push deleted pages out of the WAL, rebuild the file without free pages, empty the WAL."""
        conn = self._connection()
        self._checkpoint(conn)
        conn.execute("VACUUM")
        if not self._checkpoint(conn):
            log.warning("another process kept the WAL busy; deleted pages may linger in %s-wal until its "
                        "next checkpoint (the data key is gone, so they are not decryptable)", self.path)

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection) -> bool:
        for _ in range(3):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(0.05)
        return False

    @_guarded
    def close(self) -> None:
        """Close the connection (idempotent). Later calls raise :class:`StoreError`."""
        with self._lock:
            conn, self._conn = self._conn, None
            self._keys.clear()
            if conn is not None:
                conn.close()

    def __enter__(self) -> "SqliteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"


# ---------------------------------------------------------------- factory


def open_store(settings: "Settings", *, fresh: bool | None = None,
               on_key_created: Callable[[Path], None] | None = None) -> SqliteStore:
    """The configured store: ``SqliteStore`` at ``settings.data_dir / "attune.db"``, master key from
    ``settings.key`` or ``<data_dir>/key`` (created 0600 on first run; data dir created 0700).

    ``fresh`` (default: ``settings.fresh_store`` if the settings have it, else False) and
    ``on_key_created`` are passed to :class:`SqliteStore`."""
    data_dir = Path(settings.data_dir).expanduser()
    if not data_dir.is_absolute():
        data_dir = data_dir.resolve()
    if fresh is None:
        fresh = settings.fresh_store
    return SqliteStore(data_dir / DB_NAME, settings.key, fresh=fresh, on_key_created=on_key_created)
