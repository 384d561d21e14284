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
    via ``asyncio.to_thread`` or wrap the store in :class:`AsyncStore`. Several processes (web app +
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
"""
from __future__ import annotations

import asyncio
import base64
import binascii
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
from typing import TYPE_CHECKING, Any, Iterator, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from dialogue.settings import Settings

__all__ = [
    "Store", "SqliteStore", "AsyncStore", "open_store", "generate_master_key",
    "UserRecord", "SessionRecord", "TurnRecord",
    "StoreError", "InvalidKeyError", "WrongKeyError", "CorruptDataError",
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
            f"44 characters). Generate one with: python -c \"from dialogue.memory import "
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


def _create_key_file(path: Path) -> str:
    """Create ``path`` holding a new master key, atomically and 0600; return the key.

    ``O_CREAT|O_EXCL`` guarantees only one process creates it; the loser reads the winner's key.
    """
    key = generate_master_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return _read_key_file(path)
    try:
        os.fchmod(fd, 0o600)            # the umask can only narrow the mode; make it exact anyway
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)
    log.info("created a new master key at %s (back it up: without it the data cannot be read)", path)
    return key


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


class SqliteStore:
    """The default :class:`Store`: one SQLite file, WAL, encrypted columns. Thread-safe."""

    def __init__(self, path: str | os.PathLike[str], master_key: str | bytes | None = None,
                 *, key_file: str | os.PathLike[str] | None = None, busy_timeout_s: float = 5.0) -> None:
        """Open (creating if needed) the database at ``path``.

        ``master_key``: Fernet-format key; if None, ``key_file`` (default ``<db dir>/key``) is read,
        or created 0600 when the database holds no data yet. Raises :class:`InvalidKeyError` for a
        malformed key and :class:`WrongKeyError` when the key does not match the database.
        """
        self.path = Path(path).expanduser().resolve()
        _ensure_private_dir(self.path.parent)
        # Pre-create the file 0600: SQLite gives -wal and -shm the same mode as the database.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        self._lock = threading.RLock()
        self._keys: dict[bytes, AESGCM] = {}        # wrapped key blob -> unwrapped user cipher
        self._conn: sqlite3.Connection | None = None
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=busy_timeout_s)
        try:
            self._configure(conn, busy_timeout_s)
            key_check = self._init_schema(conn)
            if master_key is not None:
                raw = _parse_master_key(master_key, "settings (ATTUNE_KEY)")
            else:
                kf = Path(key_file).expanduser() if key_file is not None else self.path.parent / KEY_FILE_NAME
                if kf.exists():
                    raw = _parse_master_key(_read_key_file(kf), str(kf))
                elif key_check is not None:
                    raise WrongKeyError(
                        f"{self.path} holds encrypted data but the key file {kf} is missing and no "
                        f"ATTUNE_KEY is set; restore the key (refusing to create a new one)")
                else:
                    raw = _parse_master_key(_create_key_file(kf), str(kf))
            self._master = _wrap_cipher(raw)
            self._verify_key(conn, key_check)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    # -- setup

    @staticmethod
    def _configure(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
            log.warning("SQLite refused WAL mode (journal_mode=%s); durability still holds", mode)
        conn.execute("PRAGMA synchronous = FULL")     # fsync every commit: see module docstring
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")     # overwrite deleted content with zeros

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
                conn.execute("ROLLBACK")
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
                conn.execute("ROLLBACK")
                raise
            key_check = bytes(conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()[0])
        try:
            ok = _open(self._master, key_check, _AAD_KEYCHECK) == _KEYCHECK_PLAINTEXT
        except (InvalidTag, ValueError):
            ok = False
        if not ok:
            raise WrongKeyError(f"the master key does not match {self.path} (check ATTUNE_KEY or the key file)")

    # -- plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("store is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

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
            finally:
                if outer:
                    conn.execute("COMMIT")

    def _user_cipher(self, wrapped: bytes, user_id: str) -> AESGCM:
        wrapped = bytes(wrapped)
        cipher = self._keys.get(wrapped)
        if cipher is None:
            try:
                raw = _open(self._master, wrapped, _aad_wrap(user_id))
            except (InvalidTag, ValueError) as exc:
                raise CorruptDataError(f"cannot unwrap the data key of user {user_id!r}") from exc
            cipher = AESGCM(raw)
            self._keys[wrapped] = cipher
        return cipher

    @staticmethod
    def _decrypt(cipher: AESGCM, blob: bytes | None, aad: str) -> bytes | None:
        if blob is None:
            return None
        try:
            return _open(cipher, blob, aad)
        except (InvalidTag, ValueError) as exc:
            raise CorruptDataError(f"ciphertext failed authentication ({aad})") from exc

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

    def get_user(self, user_id: str) -> UserRecord | None:
        """The user, or None if unknown."""
        with self._lock:
            row = self._connection().execute(
                "SELECT created_at, wrapped_key, name_enc FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            name = self._decrypt(self._user_cipher(row[1], user_id), row[2], _aad_user(user_id, "name"))
        return UserRecord(id=user_id, name=None if name is None else name.decode("utf-8"), created_at=row[0])

    def list_user_ids(self) -> list[str]:
        """All user ids, oldest first (for admin commands)."""
        with self._lock:
            return [r[0] for r in self._connection().execute(
                "SELECT id FROM users ORDER BY created_at, rowid").fetchall()]

    # -- sessions

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

    def save_state(self, session_id: str, state: dict[str, Any]) -> None:
        """Replace the engine's session state (JSON-serialisable), encrypted; durable on return."""
        payload = _dumps(state)
        with self._write() as conn:
            _, cipher = self._session_owner(conn, session_id)
            conn.execute("UPDATE sessions SET state_enc = ? WHERE id = ?",
                         (_seal(cipher, payload, _aad_session(session_id, "state")), session_id))

    def load_state(self, session_id: str) -> dict[str, Any] | None:
        """The last saved state, or None (unknown session or nothing saved yet)."""
        with self._read() as conn:
            row = conn.execute("SELECT s.user_id, u.wrapped_key, s.state_enc FROM sessions s "
                               "JOIN users u ON u.id = s.user_id WHERE s.id = ?", (session_id,)).fetchone()
            if row is None or row[2] is None:
                return None
            raw = self._decrypt(self._user_cipher(row[1], row[0]), row[2], _aad_session(session_id, "state"))
        return json.loads(raw)  # type: ignore[arg-type]

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

    def get_session(self, session_id: str) -> SessionRecord | None:
        """One session, decrypted, or None if unknown."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.id = ?", (session_id,))
        return found[0] if found else None

    def open_session(self, user_id: str) -> SessionRecord | None:
        """The latest session still "open" (to resume after a crash), or None."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.user_id = ? AND s.status = 'open'", (user_id,), limit=1)
        return found[0] if found else None

    def last_completed_session(self, user_id: str) -> SessionRecord | None:
        """The latest "completed" session (for the returning-person recall), or None."""
        with self._read() as conn:
            found = self._select_sessions(conn, "s.user_id = ? AND s.status = 'completed'", (user_id,), limit=1)
        return found[0] if found else None

    def list_sessions(self, user_id: str) -> list[SessionRecord]:
        """All the user's sessions, newest first, decrypted; [] for an unknown user."""
        with self._read() as conn:
            return self._select_sessions(conn, "s.user_id = ?", (user_id,))

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

    def export_user(self, user_id: str) -> dict[str, Any]:
        """Everything stored about the user, decrypted, JSON-serialisable; sessions oldest first,
        each with its turns and saved engine state. ``KeyError`` if the user is unknown."""
        with self._read():          # one snapshot for the whole export (the lock is re-entrant)
            user = self.get_user(user_id)
            if user is None:
                raise KeyError(f"unknown user {user_id!r}")
            sessions = []
            for rec in reversed(self.list_sessions(user_id)):
                item = rec.to_dict()
                item["state"] = self.load_state(rec.id)
                item["turns"] = [t.to_dict() for t in self.turns(rec.id)]
                sessions.append(item)
        return {"format": "attune-export", "version": 1, "exported_at": time.time(),
                "user": user.to_dict(), "sessions": sessions}

    def delete_user(self, user_id: str) -> bool:
        """Delete the user, every session and turn, and their wrapped data key; then zero and compact
        the file (WAL checkpoint TRUNCATE + VACUUM) so nothing decryptable remains. False if unknown.

        Holds the store lock for the VACUUM (proportional to the database size)."""
        with self._lock:
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


# ---------------------------------------------------------------- async wrapper and factory


class AsyncStore:
    """Awaitable view of a :class:`Store`: ``await AsyncStore(store).append_turn(...)`` runs the call in
    a worker thread (``asyncio.to_thread``), keeping fsyncs off the event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(attr, *args, **kwargs)
        return call


def open_store(settings: "Settings") -> SqliteStore:
    """The configured store: ``SqliteStore`` at ``settings.data_dir / "attune.db"``, master key from
    ``settings.key`` or ``<data_dir>/key`` (created 0600 on first run; data dir created 0700)."""
    data_dir = Path(settings.data_dir).expanduser()
    if not data_dir.is_absolute():
        data_dir = data_dir.resolve()
    return SqliteStore(data_dir / DB_NAME, settings.key)
