"""The `attune` command as a person runs it: real subprocesses, real files, real encryption."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_engine import CBT

ROOT = Path(__file__).resolve().parents[2]


def attune(*args: str, data_dir: Path, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "attune.voice.cli", *args], input=stdin, capture_output=True,
                          timeout=timeout, env=env, cwd=ROOT)


def test_chat_script_json_runs_a_whole_cbt_session(tmp_path):
    script = tmp_path / "cbt.txt"
    script.write_text("\n\n".join(CBT) + "\n")
    out = attune("chat", "--user", "u_cli", "--script", str(script), "--json", "--turn-seconds", "45", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    turns = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert all(set(t) >= {"role", "text", "phase", "modality", "events"} for t in turns)
    assert all(t["role"] == "assistant" and isinstance(t["events"], list) for t in turns)
    types = {e["type"] for t in turns for e in t["events"]}
    assert {"phase", "modality", "coping_card"} <= types
    card = next(e for t in turns for e in t["events"] if e["type"] == "coping_card")
    assert card["new_thought"] and card["action"]
    assert turns[-1]["phase"] == "ended"
    assert len(turns) == len(CBT) + 1


def test_interactive_stdin_survives_invalid_utf8_and_control_characters(tmp_path):
    stdin = b"Sam\n\xff\xfe\xfa broken bytes\n\x00\x1b[2J\n" + ("word " * 20000).encode() + b"\n\xf0\x9f\x98\xa2\n"
    out = attune("chat", "--user", "u_bytes", "--json", data_dir=tmp_path, stdin=stdin)
    assert out.returncode == 0, out.stderr.decode()
    assert b"Traceback" not in out.stderr
    turns = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(turns) == 6 and all(t["text"] for t in turns)


def test_protocols_check_and_a_broken_protocol_names_file_and_field(tmp_path):
    ok = attune("protocols", "check", data_dir=tmp_path)
    assert ok.returncode == 0 and b"ok:" in ok.stdout
    broken = tmp_path / "protocols"
    broken.mkdir()
    for f in (ROOT / "protocols").glob("*.yaml"):
        (broken / f.name).write_text(f.read_text())
    (broken / "sfbt.yaml").write_text((broken / "sfbt.yaml").read_text().replace("kind: number", "kind: numbr", 1))
    bad = attune("protocols", "check", "--dir", str(broken), data_dir=tmp_path)
    assert bad.returncode == 1
    err = bad.stderr.decode()
    assert "sfbt.yaml" in err and "kind" in err and "Traceback" not in err


def test_eval_crisis_prints_figures_and_misses(tmp_path):
    rows = [{"text": "I want to kill myself tonight", "label": 1}, {"text": "this deadline is killing me", "label": 0},
            {"text": "I had pasta for lunch", "label": 0}]
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows))
    out = attune("eval", "crisis", str(f), data_dir=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    result = json.loads(out.stdout)
    assert result["n"] == 3 and result["recall"] == 1.0 and result["false_positive_rate"] == 0.0
    f.write_text('{"text": "x", "label": 3}\nnot json\n')
    bad = attune("eval", "crisis", str(f), data_dir=tmp_path)
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr


def test_export_then_delete_leaves_nothing_decryptable(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("Call me Zephyrine\nabout a 3\nmy partner left me and I feel abandoned\n")
    assert attune("chat", "--user", "u_del", "--script", str(script), data_dir=tmp_path).returncode == 0
    exported = attune("data", "export", "--user", "u_del", data_dir=tmp_path)
    assert exported.returncode == 0
    data = json.loads(exported.stdout)
    assert "Zephyrine" in exported.stdout.decode() and data
    deleted = attune("data", "delete", "--user", "u_del", data_dir=tmp_path)
    assert deleted.returncode == 0 and json.loads(deleted.stdout)["deleted"] is True
    raw = b"".join(p.read_bytes() for p in (tmp_path).glob("attune.db*"))
    assert b"Zephyrine" not in raw and b"abandoned" not in raw
    again = attune("data", "export", "--user", "u_del", data_dir=tmp_path)
    assert again.returncode == 1 and b"no data" in again.stderr


def test_sigkill_mid_session_loses_no_answered_turn(tmp_path):
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "attune.voice.cli", "chat", "--user", "u_kill", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    answered = [json.loads(proc.stdout.readline())]
    for line in CBT[:7]:
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        answered.append(json.loads(proc.stdout.readline()))  # the reply is out: the turn must be on disk
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    from attune.dialogue.memory import SqliteStore

    store = SqliteStore(tmp_path / "attune.db", key_file=tmp_path / "key")
    session = store.list_sessions("u_kill")[0]
    turns = store.turns(session.id)
    store.close()
    said = [t.text for t in turns if t.role == "assistant"]
    assert said == [a["text"] for a in answered]
    assert [t.text for t in turns if t.role == "user"] == CBT[:7]


def test_next_chat_recalls_after_a_killed_session(tmp_path):
    """A session killed mid-way is closed as abandoned at the next open, and still recalled."""
    script = tmp_path / "s.txt"
    script.write_text("\n".join(CBT[:6]) + "\n")
    assert attune("chat", "--user", "u_back", "--script", str(script), data_dir=tmp_path).returncode == 0
    again = attune("chat", "--user", "u_back", "--json", data_dir=tmp_path, stdin=b"")
    first = json.loads(again.stdout.decode().splitlines()[0])
    assert "Sam" in first["text"]


def test_talk_without_a_sound_device_says_so(tmp_path):
    out = attune("talk", data_dir=tmp_path, timeout=120)
    assert out.returncode == 2
    err = out.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and ("device" in err.lower() or "portaudio" in err.lower()), err


@pytest.mark.parametrize("bad", [["talk", "--in", "x.wav"], ["chat", "--script", "/nonexistent/file"]])
def test_bad_arguments_get_a_clear_error(tmp_path, bad):
    out = attune(*bad, data_dir=tmp_path)
    assert out.returncode in (1, 2) and b"Traceback" not in out.stderr and out.stderr.strip()


def test_new_key_at_a_terminal_says_where_and_to_back_it_up(tmp_path, monkeypatch, capsys):
    from attune.voice.cli import main

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["data", "export", "--user", "nobody", "--data-dir", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert f"created a new encryption key at {tmp_path / 'd' / 'key'}" in err and "back it up" in err
    main(["data", "export", "--user", "nobody", "--data-dir", str(tmp_path / "d")])
    assert "created a new encryption key" not in capsys.readouterr().err  # only when it is created
