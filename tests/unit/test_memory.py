"""The memory store: real SQLite files in tmp_path, encryption at rest, crypto-shredding, durability."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from attune.dialogue import memory
from attune.dialogue.memory import (CorruptDatabaseError, CorruptDataError, DiskFullError, InvalidKeyError,
                             MissingDatabaseError, SessionRecord, SqliteStore, Store, StoreError, TurnRecord,
                             UserRecord, WrongKeyError, generate_master_key, open_store)
from attune.dialogue.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PHRASE = "purple giraffe under the lighthouse"
NAME = "Quillonia"


@pytest.fixture
def key() -> str:
    return generate_master_key()


@pytest.fixture
def store(tmp_path, key):
    s = SqliteStore(tmp_path / "data" / "attune.db", key)
    yield s
    s.close()


def raw_bytes(data_dir: Path) -> bytes:
    """Every byte of the database files (db, -wal, -shm, any journal) as they are on disk."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.iterdir()) if p.name.startswith("attune.db"))


def fill_user(s: SqliteStore, uid: str, name: str, phrase: str, sid: str) -> None:
    s.ensure_user(uid)
    s.set_name(uid, name)
    s.start_session(uid, sid, 1000.0)
    s.append_turn(sid, "assistant", "What would you like to call you?")
    s.append_turn(sid, "user", f"Call me {name}. I keep dreaming of a {phrase}.", {"asr_conf": 0.9, "said": phrase})
    s.save_state(sid, {"phase": "working", "slots": {"thought": phrase}})
    s.update_session(sid, modality="cbt", mood_open=3, mood_close=6, feedback_score=4,
                     feedback_comment=f"liked the {phrase}", risk_flag=False, summary=f"Talked about the {phrase}.",
                     card={"trigger": phrase, "old": "x", "new": "y", "do": "walk"}, notes=[{"why": phrase}],
                     status="completed", ended_at=2000.0)


# ---------------------------------------------------------------- round trip and API


def test_round_trip(store):
    assert isinstance(store, Store)
    uid = store.new_user_id()
    assert uid.startswith("u_") and len(uid) == 18
    assert store.new_user_id() != uid
    user = store.ensure_user(uid)
    assert isinstance(user, UserRecord) and user.id == uid and user.name is None
    assert store.ensure_user(uid) == user                      # idempotent
    store.set_name(uid, "  Ana  ")
    assert store.get_user(uid).name == "Ana"
    store.set_name(uid, None)
    assert store.get_user(uid).name is None
    store.set_name(uid, "Ana")

    store.start_session(uid, "s1", 100.0)
    assert store.open_session(uid).id == "s1"
    assert store.last_completed_session(uid) is None
    assert store.append_turn("s1", "assistant", "Hello, I'm an AI.") == 0
    assert store.append_turn("s1", "user", "Hi — ünïcode ✓", {"conf": 0.8, "heard": None}, created_at=101.5) == 1
    turns = store.turns("s1")
    assert [t.text for t in turns] == ["Hello, I'm an AI.", "Hi — ünïcode ✓"]
    assert isinstance(turns[1], TurnRecord) and turns[1].role == "user" and turns[1].idx == 1
    assert turns[1].meta == {"conf": 0.8, "heard": None} and turns[1].created_at == 101.5
    assert turns[0].meta is None

    assert store.load_state("s1") is None
    store.save_state("s1", {"phase": "opening", "n": [1, 2]})
    store.save_state("s1", {"phase": "working", "n": [3]})
    assert store.load_state("s1") == {"phase": "working", "n": [3]}

    store.update_session("s1", modality="gestalt", mood_open=2, risk_flag=True, notes={"modality_reason": "numb"})
    store.update_session("s1", mood_close=5.5, feedback_score=5, feedback_comment="helpful", summary="We noticed.",
                         card={"trigger": "t"}, status="completed", ended_at=200.0)
    rec = store.last_completed_session(uid)
    assert isinstance(rec, SessionRecord)
    assert (rec.id, rec.user_id, rec.started_at, rec.ended_at, rec.modality, rec.status) == \
        ("s1", uid, 100.0, 200.0, "gestalt", "completed")
    assert (rec.mood_open, rec.mood_close, rec.feedback_score, rec.feedback_comment) == (2, 5.5, 5, "helpful")
    assert rec.risk_flag is True and rec.summary == "We noticed." and rec.card == {"trigger": "t"}
    assert rec.notes == {"modality_reason": "numb"} and rec.turn_count == 2
    assert store.open_session(uid) is None
    assert store.get_session("s1") == rec

    store.start_session(uid, "s2", 300.0)
    store.start_session(uid, "s0", 50.0)
    assert [s.id for s in store.list_sessions(uid)] == ["s2", "s1", "s0"]     # newest first
    assert store.open_session(uid).id == "s2"
    store.update_session("s2", summary=None, risk_flag=None)
    assert store.get_session("s2").summary is None and store.get_session("s2").risk_flag is False
    assert store.list_user_ids() == [uid]
    json.dumps([s.to_dict() for s in store.list_sessions(uid)])             # serialisable


def test_reopen_persists(tmp_path, key):
    path = tmp_path / "d" / "attune.db"
    with SqliteStore(path, key) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
    with SqliteStore(path, key) as s:
        assert s.get_user("u_a").name == NAME
        assert PHRASE in s.turns("s1")[1].text
        assert s.load_state("s1")["slots"]["thought"] == PHRASE


def test_validation(store):
    store.ensure_user("u_a")
    store.start_session("u_a", "s1", 1.0)
    with pytest.raises(ValueError):
        store.start_session("u_a", "s1", 2.0)                 # duplicate session id
    with pytest.raises(TypeError):
        store.update_session("s1", colour="blue")
    with pytest.raises(ValueError):
        store.update_session("s1", status="paused")
    with pytest.raises(ValueError):
        store.update_session("s1", mood_open=11)
    with pytest.raises(ValueError):
        store.update_session("s1", feedback_score=0)
    with pytest.raises(ValueError):
        store.update_session("s1", card=["not", "a", "dict"])
    with pytest.raises(TypeError):
        store.save_state("s1", {"x": object()})
    with pytest.raises(ValueError):
        store.ensure_user("")
    assert store.get_session("s1").status == "open"           # nothing half-applied


def test_unknown_ids(store):
    assert store.get_user("u_nobody") is None
    assert store.load_state("nope") is None
    assert store.open_session("u_nobody") is None
    assert store.last_completed_session("u_nobody") is None
    assert store.list_sessions("u_nobody") == []
    assert store.turns("nope") == []
    assert store.get_session("nope") is None
    assert store.delete_user("u_nobody") is False
    with pytest.raises(KeyError):
        store.set_name("u_nobody", "x")
    with pytest.raises(KeyError):
        store.start_session("u_nobody", "s1", 1.0)
    with pytest.raises(KeyError):
        store.append_turn("nope", "user", "hi")
    with pytest.raises(KeyError):
        store.save_state("nope", {})
    with pytest.raises(KeyError):
        store.update_session("nope", mood_open=3)
    with pytest.raises(KeyError):
        store.update_session("nope")
    with pytest.raises(KeyError):
        store.export_user("u_nobody")
    assert store.list_user_ids() == []                        # no side effects


def test_closed_store_raises(store):
    store.close()
    store.close()                                             # idempotent
    with pytest.raises(memory.StoreError):
        store.get_user("u_a")


# ---------------------------------------------------------------- keys and files


def test_open_store_creates_private_dir_and_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "nested" / "attune-data"
    old = os.umask(0)                                          # modes must not depend on the umask
    try:
        s = open_store(Settings(data_dir=data_dir, key=None))
    finally:
        os.umask(old)
    try:
        assert s.path == data_dir / "attune.db"
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        key_file = data_dir / "key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((data_dir / "attune.db").stat().st_mode) == 0o600
        fill_user(s, "u_a", NAME, PHRASE, "s1")
        for p in data_dir.iterdir():                             # -wal and -shm inherit 0600
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        content = key_file.read_text().strip()
        assert len(content) == 44
    finally:
        s.close()
    # Second run reuses the same key file and reads the data back.
    with open_store(Settings(data_dir=data_dir, key=None)) as s2:
        assert s2.get_user("u_a").name == NAME
    assert key_file.read_text().strip() == content


def test_settings_key_is_used_and_no_key_file_written(tmp_path, key):
    data_dir = tmp_path / "d"
    with open_store(Settings(data_dir=data_dir, key=key)) as s:
        s.ensure_user("u_a")
    assert not (data_dir / "key").exists()


def test_wrong_key_is_a_clear_error(tmp_path, key):
    path = tmp_path / "d" / "attune.db"
    with SqliteStore(path, key) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
    with pytest.raises(WrongKeyError, match="does not match") as info:
        SqliteStore(path, generate_master_key())
    assert isinstance(info.value, StoreError) and "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(InvalidKeyError, match="Fernet-format"):
        SqliteStore(path, "correct horse battery staple")
    with pytest.raises(InvalidKeyError):
        SqliteStore(path, key[:-4])
    with SqliteStore(path, key) as s:                           # the right key still works
        assert s.get_user("u_a").name == NAME


def test_missing_key_file_refuses_to_create_new_key(tmp_path, monkeypatch):
    data_dir = tmp_path / "d"
    with open_store(Settings(data_dir=data_dir, key=None)) as s:
        s.ensure_user("u_a")
    (data_dir / "key").unlink()
    with pytest.raises(WrongKeyError, match="missing"):
        open_store(Settings(data_dir=data_dir, key=None))
    assert not (data_dir / "key").exists()


def test_tampered_ciphertext_is_detected(tmp_path, key):
    path = tmp_path / "d" / "attune.db"
    with SqliteStore(path, key) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
    raw = sqlite3.connect(path)
    blob = bytearray(raw.execute("SELECT text_enc FROM turns WHERE idx = 1").fetchone()[0])
    blob[-1] ^= 1
    raw.execute("UPDATE turns SET text_enc = ? WHERE idx = 1", (bytes(blob),))
    # moving a valid ciphertext to another row is caught too (associated data binds it to its row)
    raw.execute("UPDATE sessions SET summary_enc = card_enc")
    raw.commit()
    raw.close()
    with SqliteStore(path, key) as s:
        with pytest.raises(CorruptDataError):
            s.turns("s1")
        with pytest.raises(CorruptDataError):
            s.list_sessions("u_a")


def test_ciphertext_on_disk(tmp_path, key):
    data_dir = tmp_path / "d"
    s = SqliteStore(data_dir / "attune.db", key)
    fill_user(s, "u_a", NAME, PHRASE, "s1")
    needles = [PHRASE.encode(), NAME.encode(), b"lighthouse", b"walk", b"asr_conf", b"thought", b"working"]
    on_disk = raw_bytes(data_dir)                                # while open: data sits in the WAL
    assert (data_dir / "attune.db-wal").exists()
    for needle in needles:
        assert needle not in on_disk, needle
    s.close()                                                     # after the final checkpoint
    on_disk = raw_bytes(data_dir)
    for needle in needles:
        assert needle not in on_disk, needle
    assert b"cbt" in on_disk                                       # sanity: plaintext columns are visible


# ---------------------------------------------------------------- export and delete


def test_export_contains_everything(store):
    fill_user(store, "u_a", NAME, PHRASE, "s1")
    store.start_session("u_a", "s2", 3000.0)
    store.append_turn("s2", "user", "second session words")
    exported = store.export_user("u_a")
    text = json.dumps(exported)                                   # JSON-serialisable
    assert exported["user"] == {"id": "u_a", "name": NAME, "created_at": store.get_user("u_a").created_at}
    assert [s["id"] for s in exported["sessions"]] == ["s1", "s2"]  # chronological
    s1 = exported["sessions"][0]
    assert s1["state"] == {"phase": "working", "slots": {"thought": PHRASE}}
    assert s1["turns"][1]["meta"] == {"asr_conf": 0.9, "said": PHRASE}
    assert s1["card"]["trigger"] == PHRASE and s1["notes"] == [{"why": PHRASE}]
    assert s1["feedback_comment"] == f"liked the {PHRASE}" and s1["summary"].endswith(f"{PHRASE}.")
    assert (s1["mood_open"], s1["mood_close"], s1["feedback_score"], s1["modality"]) == (3, 6, 4, "cbt")
    assert "second session words" in text


def _all_blobs(path: Path) -> list[tuple[str, bytes, str | None]]:
    """(where, blob, associated data) for every encrypted value left in the database."""
    raw = sqlite3.connect(path)
    out: list[tuple[str, bytes, str | None]] = []
    for uid, wrapped, name_enc in raw.execute("SELECT id, wrapped_key, name_enc FROM users"):
        out.append((f"wrap {uid}", wrapped, memory._aad_wrap(uid)))
        if name_enc is not None:
            out.append((f"name {uid}", name_enc, memory._aad_user(uid, "name")))
    cols = ["feedback_enc", "summary_enc", "card_enc", "notes_enc", "state_enc"]
    for row in raw.execute(f"SELECT id, {', '.join(cols)} FROM sessions"):
        for col, blob in zip(cols, row[1:]):
            if blob is not None:
                out.append((f"{col} {row[0]}", blob, memory._aad_session(row[0], memory._ENC_COLUMN_AAD[col])))
    for sid, idx, text_enc, meta_enc in raw.execute("SELECT session_id, idx, text_enc, meta_enc FROM turns"):
        out.append((f"turn {sid}/{idx}", text_enc, memory._aad_turn(sid, idx, "text")))
        if meta_enc is not None:
            out.append((f"meta {sid}/{idx}", meta_enc, memory._aad_turn(sid, idx, "meta")))
    for k, v in raw.execute("SELECT k, v FROM meta"):
        out.append((f"meta {k}", v, memory._AAD_KEYCHECK if k == "key_check" else None))
    raw.close()
    return out


def test_delete_leaves_nothing_decryptable(tmp_path, key):
    data_dir = tmp_path / "d"
    path = data_dir / "attune.db"
    s = SqliteStore(path, key)
    fill_user(s, "u_gone", NAME, PHRASE, "s_gone")
    s.start_session("u_gone", "s_gone2", 5000.0)
    s.append_turn("s_gone2", "user", "marmalade thunderstorm confession")
    fill_user(s, "u_keep", "Bertrand", "quiet harbour at dawn", "s_keep")

    master = memory._wrap_cipher(memory._parse_master_key(key, "test"))
    gone_blobs = [b for where, b, _ in _all_blobs(path) if "gone" in where]
    gone_wrapped = next(b for where, b, _ in _all_blobs(path) if where == "wrap u_gone")
    gone_data_key = memory._open(master, gone_wrapped, memory._aad_wrap("u_gone"))
    assert len(gone_blobs) > 10

    assert s.delete_user("u_gone") is True
    assert s.get_user("u_gone") is None and s.list_sessions("u_gone") == [] and s.turns("s_gone") == []
    assert s.delete_user("u_gone") is False

    # 1. No plaintext, no ciphertext, no key material of the deleted user in any file, open or closed.
    for phase in ("open", "closed"):
        if phase == "closed":
            s.close()
        on_disk = raw_bytes(data_dir)
        for needle in [NAME.encode(), PHRASE.encode(), b"lighthouse", b"marmalade", b"thunderstorm",
                       b"u_gone", b"s_gone", gone_wrapped, gone_data_key, gone_wrapped[1:13]]:
            assert needle not in on_disk, (phase, needle[:20])
        for blob in gone_blobs:
            assert bytes(blob)[1:13] not in on_disk, phase       # not even a nonce survives

    # 2. Every remaining blob: only the keeper's data and the key check open, with the remaining keys;
    #    the deleted user's data key opens nothing.
    remaining = _all_blobs(path)
    keep_wrapped = next(b for where, b, _ in remaining if where == "wrap u_keep")
    keys = {"master": master, "keep": AESGCM(memory._open(master, keep_wrapped, memory._aad_wrap("u_keep"))),
            "gone": AESGCM(gone_data_key)}
    opened = []
    for where, blob, aad in remaining:
        assert "gone" not in where
        for key_name, cipher in keys.items():
            for candidate_aad in {aad, None}:
                try:
                    plain = memory._open(cipher, blob, candidate_aad) if candidate_aad else \
                        cipher.decrypt(bytes(blob)[1:13], bytes(blob)[13:], None)
                except (InvalidTag, ValueError):
                    continue
                assert key_name != "gone", where
                opened.append(where)
                assert NAME.encode() not in plain and PHRASE.encode() not in plain
    assert "meta key_check" in opened and "turn s_keep/1" in opened and "name u_keep" in opened
    assert all("keep" in w or w == "meta key_check" for w in opened)

    # 3. The other user is intact.
    with SqliteStore(path, key) as s2:
        assert s2.list_user_ids() == ["u_keep"]
        assert s2.get_user("u_keep").name == "Bertrand"
        assert "quiet harbour at dawn" in s2.turns("s_keep")[1].text
        assert s2.export_user("u_keep")["sessions"][0]["card"]["trigger"] == "quiet harbour at dawn"
        assert s2.load_state("s_keep") is not None


def test_delete_while_another_connection_reads(tmp_path, key):
    """A second process/connection (e.g. the web app while the CLI deletes) must not break delete."""
    path = tmp_path / "d" / "attune.db"
    a = SqliteStore(path, key)
    b = SqliteStore(path, key)
    try:
        fill_user(a, "u_gone", NAME, PHRASE, "s1")
        fill_user(a, "u_keep", "Bertrand", "harbour", "s2")
        assert b.get_user("u_gone").name == NAME                  # b has the key cached
        assert a.delete_user("u_gone")
        assert b.get_user("u_gone") is None
        with pytest.raises(KeyError):
            b.append_turn("s1", "user", "late write after delete")
        assert b.turns("s2")[1].text.endswith("harbour.")
    finally:
        a.close()
        b.close()
    assert PHRASE.encode() not in raw_bytes(path.parent)


# ---------------------------------------------------------------- durability and concurrency

_CHILD = textwrap.dedent("""
    import sys, time
    from attune.dialogue.memory import SqliteStore
    path, key, sid, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    s = SqliteStore(path, key)
    s.ensure_user("u_k")
    if s.get_session(sid) is None:
        s.start_session("u_k", sid, time.time())
    print("ready", flush=True)
    i = start
    while True:
        s.append_turn(sid, "user", f"acknowledged turn number {i}", {"i": i})
        s.save_state(sid, {"last": i})
        print(f"ok {i}", flush=True)
        i += 1
""")


@pytest.mark.parametrize("kill_after", [7, 60])
def test_sigkill_loses_no_acknowledged_turn(tmp_path, key, kill_after):
    path = tmp_path / "d" / "attune.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    acked: list[int] = []
    start = 0
    for _round in range(2):                                       # crash, reopen, resume, crash again
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), key, "s_kill", str(start)],
                                stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
        try:
            assert proc.stdout.readline().strip() == "ready"
            while len(acked) < start + kill_after:
                line = proc.stdout.readline()
                assert line.startswith("ok "), line
                acked.append(int(line.split()[1]))
            os.kill(proc.pid, signal.SIGKILL)
            rest = proc.stdout.read()                               # lines already written before the kill
        finally:
            proc.kill()
            proc.wait()
        acked += [int(ln.split()[1]) for ln in rest.splitlines() if ln.startswith("ok ")]
        assert proc.returncode == -signal.SIGKILL
        with SqliteStore(path, key) as s:
            texts = [t.text for t in s.turns("s_kill")]
            assert len(texts) >= len(acked)
            for i in acked:
                assert texts[i] == f"acknowledged turn number {i}"
            assert s.load_state("s_kill")["last"] >= acked[-1]
            assert s.open_session("u_k").id == "s_kill"
            start = len(texts)                                      # a kill between append and ack may add one
        check = sqlite3.connect(path)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()


def test_durability_settings(store):
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_concurrent_threads(store):
    store.ensure_user("u_a")
    store.start_session("u_a", "shared", 1.0)
    for n in range(4):
        store.start_session("u_a", f"own{n}", 2.0 + n)
    errors: list[BaseException] = []
    per_thread = 30

    def worker(n: int) -> None:
        try:
            for i in range(per_thread):
                store.append_turn("shared", "user", f"t{n}-{i}")
                store.append_turn(f"own{n}", "user", f"o{n}-{i}")
                store.save_state(f"own{n}", {"i": i})
                store.list_sessions("u_a")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    shared = store.turns("shared")
    assert [t.idx for t in shared] == list(range(4 * per_thread))
    assert sorted(t.text for t in shared) == sorted(f"t{n}-{i}" for n in range(4) for i in range(per_thread))
    for n in range(4):
        assert [t.text for t in store.turns(f"own{n}")] == [f"o{n}-{i}" for i in range(per_thread)]
        assert store.load_state(f"own{n}") == {"i": per_thread - 1}


# ---------------------------------------------------------------- clear errors, nothing lost (issue 12)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, text
    return text


def attune_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("ATTUNE_KEY", None)
    return subprocess.run([sys.executable, "-m", "attune.voice.cli", *args], capture_output=True, timeout=60,
                          env=env, cwd=REPO)


def test_empty_or_missing_database_beside_key_refuses_unless_fresh(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "d"
    db = data_dir / "attune.db"
    with open_store(Settings(data_dir=data_dir, key=None)) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
    key_text = (data_dir / "key").read_text()
    db.rename(tmp_path / "backup.db")

    db.write_bytes(b"")                                            # the probe: 0-byte db beside its key
    with pytest.raises(MissingDatabaseError) as info:
        open_store(Settings(data_dir=data_dir, key=None))
    text = one_line(info.value)
    assert "empty (0 bytes)" in text and str(db) in text and "--fresh-store" in text and "backup" in text
    assert db.stat().st_size == 0                                  # refused without touching anything
    db.unlink()
    with pytest.raises(MissingDatabaseError, match="is missing"):
        open_store(Settings(data_dir=data_dir, key=None))
    assert not db.exists() and (data_dir / "key").read_text() == key_text
    with pytest.raises(MissingDatabaseError):                       # same with the key from settings
        SqliteStore(db, key_text.strip())

    # Told to begin afresh: a new, empty store with the same key; a leftover WAL is moved aside, not lost.
    db.write_bytes(b"")
    (data_dir / "attune.db-wal").write_bytes(b"leftover frames of the lost database")
    with SqliteStore(db, fresh=True) as s:
        assert s.list_user_ids() == [] and s.key_created is None
        s.ensure_user("u_new")
    assert (data_dir / "key").read_text() == key_text
    orphans = list(data_dir.glob("attune.db-wal.orphaned-*"))
    assert len(orphans) == 1 and orphans[0].read_bytes() == b"leftover frames of the lost database"
    with open_store(Settings(data_dir=data_dir, key=None)) as s:     # no longer empty: opens normally
        assert s.list_user_ids() == ["u_new"]

    # fresh never touches a database with content; the restored backup reads back with the same key.
    os.replace(tmp_path / "backup.db", db)
    for side in data_dir.glob("attune.db-*"):
        if ".orphaned-" not in side.name:
            side.unlink()
    with open_store(SimpleNamespace(data_dir=data_dir, key=None, fresh_store=True)) as s:
        assert s.get_user("u_a").name == NAME and PHRASE in s.turns("s1")[1].text


def test_new_store_with_its_own_key_file_is_not_refused(tmp_path, monkeypatch):
    """No false alarm: a first run (no key yet) and two processes racing to create a store both work."""
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    (data_dir / "attune.db").write_bytes(b"")                       # empty db, no key: a first run
    with open_store(Settings(data_dir=data_dir, key=None)) as s:
        s.ensure_user("u_a")
    other = tmp_path / "race"
    stores: list[SqliteStore] = []
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            stores.append(SqliteStore(other / "attune.db"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(1 for s in stores if s.key_created) == 1
    for s in stores:
        s.close()


def test_corrupt_database_is_one_clear_line(tmp_path, key):
    data_dir = tmp_path / "d"
    db = data_dir / "attune.db"
    with SqliteStore(db, key) as s:
        s.ensure_user("u_a")
        s.start_session("u_a", "s1", 1.0)
        for i in range(150):
            s.append_turn("s1", "user", f"turn {i} " * 60)
    good = db.read_bytes()

    db.write_bytes(os.urandom(16384))                              # garbage where the database was
    with pytest.raises(CorruptDatabaseError) as info:
        SqliteStore(db, key)
    text = one_line(info.value)
    assert text.startswith(f"the database at {db} is corrupt (file is not a database)")
    assert "restore it from a backup" in text and "move it aside" in text
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)

    damaged = bytearray(good)                                      # a valid header, damaged pages
    for off in range(4096 * 3, len(damaged), 4096):
        damaged[off:off + 256] = os.urandom(256)
    db.write_bytes(bytes(damaged))
    with pytest.raises(CorruptDatabaseError, match="malformed"):
        with SqliteStore(db, key) as s:
            s.turns("s1")

    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)          # cut short
    with pytest.raises(CorruptDatabaseError):
        SqliteStore(db, key)


def test_cli_prints_one_line_for_broken_databases(tmp_path):
    """What the person sees: `attune data export` on an empty and on a corrupt database."""
    data_dir = tmp_path / "d"
    with open_store(Settings(data_dir=data_dir, key=None)) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
    db = data_dir / "attune.db"
    db.write_bytes(b"")
    out = attune_cli("data", "export", "--user", "u_a", data_dir=data_dir)
    err = out.stderr.decode()
    assert out.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "is empty (0 bytes)" in err and "--fresh-store" in err
    db.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    out = attune_cli("data", "export", "--user", "u_a", data_dir=data_dir)
    err = out.stderr.decode()
    assert out.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "is corrupt (file is not a database)" in err


def test_full_disk_raises_disk_full_and_loses_nothing(tmp_path, key):
    """SQLite's own "database or disk is full" path, reached honestly via PRAGMA max_page_count."""
    path = tmp_path / "d" / "attune.db"
    s = SqliteStore(path, key)
    try:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
        s.start_session("u_a", "s2", 3000.0)
        s.append_turn("s2", "user", "saved before the disk filled")
        pages = s._conn.execute("PRAGMA page_count").fetchone()[0]
        s._conn.execute(f"PRAGMA max_page_count = {pages}")         # the disk is now full

        big = "a long turn that needs new pages " * 400
        with pytest.raises(DiskFullError) as info:
            s.append_turn("s2", "user", big)
        text = one_line(info.value)
        assert isinstance(info.value, StoreError)
        assert text.startswith(f"the disk holding {path} is full (database or disk is full)")
        assert "free some space" in text and "not saved" in text and "intact" in text
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
        assert not s._conn.in_transaction                           # rolled back cleanly
        with pytest.raises(DiskFullError):
            s.save_state("s2", {"blob": big})
        with pytest.raises(DiskFullError):
            s.update_session("s2", summary=big)

        # A whole turn in atomic(): the small write that fitted is rolled back with the one that did not.
        with pytest.raises(DiskFullError):
            with s.atomic():
                s.append_turn("s2", "user", "short")
                s.append_turn("s2", "assistant", big)
        assert [t.text for t in s.turns("s2")] == ["saved before the disk filled"]   # nothing half-saved
        assert s.load_state("s1")["slots"]["thought"] == PHRASE and s.get_session("s2").summary is None

        s._conn.execute("PRAGMA max_page_count = 1073741823")      # space freed: the same store works again
        assert s.append_turn("s2", "user", big) == 1
        with s.atomic():
            s.append_turn("s2", "assistant", "reply")
            s.save_state("s2", {"ok": True})
        assert [t.idx for t in s.turns("s2")] == [0, 1, 2] and s.load_state("s2") == {"ok": True}
    finally:
        s.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    with SqliteStore(path, key) as s2:
        assert s2.get_user("u_a").name == NAME and len(s2.turns("s2")) == 3


def test_full_disk_while_writing_the_key_leaves_no_empty_key(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "d"
    real_write = os.write

    def full(fd, data):
        raise OSError(28, os.strerror(28))                          # ENOSPC, as write(2) reports it

    monkeypatch.setattr(memory.os, "write", full)
    with pytest.raises(DiskFullError) as info:
        open_store(Settings(data_dir=data_dir, key=None))
    monkeypatch.setattr(memory.os, "write", real_write)
    assert "is full" in one_line(info.value)
    assert not (data_dir / "key").exists()                          # no empty key file left behind
    with open_store(Settings(data_dir=data_dir, key=None)) as s:    # the next run just works
        assert s.key_created == data_dir / "key"
        s.ensure_user("u_a")


def test_empty_key_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "d"
    with open_store(Settings(data_dir=data_dir, key=None)) as s:
        s.ensure_user("u_a")
    (data_dir / "key").write_text("")
    with pytest.raises(WrongKeyError, match="is empty .*restore the key file") as info:
        open_store(Settings(data_dir=data_dir, key=None))
    one_line(info.value)


@pytest.mark.parametrize("exc, kind, words", [
    (sqlite3.OperationalError("database or disk is full"), DiskFullError, "is full"),
    (sqlite3.OperationalError("disk I/O error"), StoreError, "disk I/O error"),
    (sqlite3.DatabaseError("file is not a database"), CorruptDatabaseError, "is corrupt"),
    (sqlite3.DatabaseError("database disk image is malformed"), CorruptDatabaseError, "is corrupt"),
    (sqlite3.OperationalError("unable to open database file"), StoreError, "cannot open"),
    (sqlite3.OperationalError("attempt to write a readonly database"), StoreError, "cannot be written"),
    (sqlite3.OperationalError("database is locked"), StoreError, "locked by another process"),
    (OSError(28, "No space left on device", "/x/attune.db"), DiskFullError, "free some space"),
    (PermissionError(13, "Permission denied", "/x/attune.db"), StoreError, "permission denied on /x/attune.db"),
    (OSError(30, "Read-only file system", "/x/key"), StoreError, "read-only file system"),
])
def test_failures_map_to_one_line_store_errors(exc, kind, words):
    err = memory._store_error(exc, Path("/x/attune.db"))
    assert type(err) is kind and words in one_line(err)


def test_unusable_data_dir_is_one_clear_line(tmp_path, key):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(StoreError) as info:
        SqliteStore(not_a_dir / "attune.db", key)
    assert str(not_a_dir) in one_line(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_permission_denied_is_one_clear_line(tmp_path, key):  # pragma: no cover - CI runs as root here
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(StoreError, match="permission denied") as info:
            SqliteStore(locked / "attune.db", key)
        one_line(info.value)
    finally:
        locked.chmod(0o700)


def test_export_writes_every_readable_row_and_names_the_rest(tmp_path, key):
    path = tmp_path / "d" / "attune.db"
    with SqliteStore(path, key) as s:
        fill_user(s, "u_a", NAME, PHRASE, "s1")
        s.start_session("u_a", "s2", 3000.0)
        s.append_turn("s2", "user", "second session words")
        s.save_state("s2", {"phase": "opening"})
        fill_user(s, "u_b", "Bertrand", "quiet harbour", "sb")
        clean = s.export_user("u_a")
    assert clean["unreadable"] == []
    raw = sqlite3.connect(path)
    blob = bytearray(raw.execute("SELECT text_enc FROM turns WHERE session_id = 's1' AND idx = 1").fetchone()[0])
    blob[-1] ^= 1                                                   # the probe: one tampered row
    raw.execute("UPDATE turns SET text_enc = ? WHERE session_id = 's1' AND idx = 1", (bytes(blob),))
    raw.execute("UPDATE sessions SET summary_enc = card_enc WHERE id = 's1'")   # a ciphertext moved
    raw.execute("UPDATE sessions SET state_enc = x'00' WHERE id = 's2'")         # a malformed blob
    wrapped = bytearray(raw.execute("SELECT wrapped_key FROM users WHERE id = 'u_b'").fetchone()[0])
    wrapped[5] ^= 1                                                 # u_b's data key itself
    raw.execute("UPDATE users SET wrapped_key = ? WHERE id = 'u_b'", (bytes(wrapped),))
    raw.commit()
    raw.close()

    with SqliteStore(path, key) as s:
        with pytest.raises(CorruptDataError):                       # normal reads still refuse loudly
            s.turns("s1")
        exported = s.export_user("u_a")
        json.dumps(exported)
        assert set(clean) <= set(exported)                          # every existing key kept
        assert {k: exported[k] for k in ("format", "version")} == {"format": "attune-export", "version": 1}
        assert exported["user"]["name"] == NAME
        assert exported["unreadable"] == [
            {"table": "turns", "id": "s1/1", "column": "text", "reason": "failed authentication (altered or damaged)"},
            {"table": "sessions", "id": "s1", "column": "summary",
             "reason": "failed authentication (altered or damaged)"},
            {"table": "sessions", "id": "s2", "column": "state",
             "reason": "failed authentication (altered or damaged)"},
        ]
        s1, s2 = exported["sessions"]
        assert s1["turns"][0]["text"] == "What would you like to call you?"
        assert s1["turns"][1]["text"] is None and s1["turns"][1]["meta"] == {"asr_conf": 0.9, "said": PHRASE}
        assert s1["summary"] is None and s1["card"]["trigger"] == PHRASE and s1["state"]["slots"]["thought"] == PHRASE
        assert s1["feedback_comment"] == f"liked the {PHRASE}" and s1["turn_count"] == 2
        assert s2["turns"][0]["text"] == "second session words" and s2["state"] is None
        # Apart from the named values, the export is what it was before the tampering.
        for before, after in zip(clean["sessions"], exported["sessions"]):
            for k in before:
                if k not in ("summary", "state", "turns"):
                    assert before[k] == after[k], k

        lost_key = s.export_user("u_b")                             # nothing decrypts, still no failure
        json.dumps(lost_key)
        assert lost_key["unreadable"][0]["column"] == "wrapped_key"
        assert lost_key["user"]["name"] is None and lost_key["sessions"][0]["mood_open"] == 3
        assert all(item["reason"] == "the user's data key could not be unwrapped"
                   for item in lost_key["unreadable"][1:])
        assert {(i["table"], i["column"]) for i in lost_key["unreadable"][1:]} >= {
            ("users", "name"), ("turns", "text"), ("sessions", "summary"), ("sessions", "state")}


def test_key_creation_is_reported(tmp_path, monkeypatch, key):
    monkeypatch.delenv("ATTUNE_KEY", raising=False)
    data_dir = tmp_path / "d"
    told: list[Path] = []
    with open_store(Settings(data_dir=data_dir, key=None), on_key_created=told.append) as s:
        assert s.key_created == data_dir / "key" and told == [data_dir / "key"]
        assert told[0].read_text().strip()
    with open_store(Settings(data_dir=data_dir, key=None), on_key_created=told.append) as s:
        assert s.key_created is None and len(told) == 1             # existing key: nothing to report
    with SqliteStore(tmp_path / "e" / "attune.db", key, on_key_created=told.append) as s:
        assert s.key_created is None and len(told) == 1             # key from settings: no file created
