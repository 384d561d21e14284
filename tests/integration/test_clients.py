"""The client bank (tests/clients/*.yaml): realistic people through the real engine.

The whole bank runs once (session fixture ``client_bank`` in tests/conftest.py, ~10 s, shared with
tests/unit/test_guard.py); each client is its own test so a failure is named, and the style limits
are one more test. The last tests check the runner itself.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from attune.dialogue import session_eval as se

BANK = Path(__file__).resolve().parents[1] / "clients"
CLIENTS = sorted(p.stem for p in BANK.glob("*.yaml"))


@pytest.fixture(scope="module")
def report(client_bank) -> se.BankReport:
    # the bank runs once per test process (tests/conftest.py); test_guard.py scans the same run's lines
    return client_bank[0]


def test_the_bank_is_big_and_valid():
    bank = se.load_bank(BANK)
    assert len(bank) >= 28
    for cid, client in bank.items():
        assert all(2 <= len(s.expect.model_fields_set) <= 6 for s in client.sessions), cid
        negatives = {"never_said", "no_events", "never_recorded", "no_card", "name_not", "card_complete"}
        assert any(negatives & s.expect.model_fields_set for s in client.sessions), f"{cid}: no negative check"


@pytest.mark.parametrize("client", CLIENTS)
def test_client(report: se.BankReport, client: str):
    res = next(r for r in report.results if r.client == client)
    if not res.passed:
        lines = [f"{f['expectation']}: {f['problem']}\n{f['excerpt']}" for f in res.failures]
        pytest.fail(f"{client} ({res.about}):\n" + "\n".join(lines), pytrace=False)


def test_style_limits(report: se.BankReport):
    f = report.figures
    assert f["replies"] > 100
    assert f["ack_share"] <= se.ACK_SHARE_MAX, f
    assert f["same_opener_twice"] == 0, f
    assert f["mean_words"] <= se.MEAN_WORDS_MAX, f


# ----------------------------------------------------------------------------- the runner itself

WRONG = """
about: a plain CBT person, with one expectation that is wrong on purpose
sessions:
  - turn_seconds: 40
    turns:
      - "call me sam"
      - "about a four"
      - "i keep thinking i'm a failure at work"
    expect:
      name: Sam
      said: ["this phrase is never said by anyone"]
      no_events: [crisis]
"""


def test_a_wrong_expectation_is_reported_failed(tmp_path):
    (tmp_path / "wrong.yaml").write_text(WRONG)
    rep = se.run_bank(tmp_path)
    (res,) = rep.results
    assert not res.passed and not rep.ok
    assert [f["expectation"] for f in res.failures] == ["said"], res.failures
    assert "you: call me sam" in res.failures[0]["excerpt"] or "attune" in res.failures[0]["excerpt"]
    out = rep.to_json()
    for key in ("clients", "passed", "failed", "ack_share", "same_opener_twice", "mean_words",
                "long_replies", "replies", "failures"):
        assert key in out
    assert (out["clients"], out["passed"], out["failed"]) == (1, 0, 1)


def test_a_typo_in_an_expectation_is_refused(tmp_path):
    (tmp_path / "typo.yaml").write_text(WRONG.replace("no_events:", "no_event:"))
    with pytest.raises(ValueError, match="typo.yaml"):
        se.load_bank(tmp_path)
    assert se.main_sessions(str(tmp_path)) == 2


def test_sessions_share_memory_and_transcripts_are_written(tmp_path, capsys):
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "twice.yaml").write_text("""
about: two sessions, the same person
sessions:
  - turns: ["call me robin", "five", "bye"]
    expect: {name: Robin}
  - turns: ["fine thanks"]
    expect: {opening_said: [Robin]}
""")
    code = se.main_sessions(str(bank), as_json=True, transcripts=str(tmp_path / "out"))
    out = json.loads(capsys.readouterr().out)
    assert out["clients"] == 1 and out["replies"] >= 4
    text = (tmp_path / "out" / "twice.txt").read_text()
    assert "## session 2" in text and "YOU: fine thanks" in text
    assert code == (0 if out["failed"] == 0 and out["style_ok"] else 1)


def test_matching_is_on_words_and_spoken_digits():
    assert se.has("call or text 9 8 8 any time", "988")
    assert se.has("I'm an AI, not a person.", "ai")
    assert not se.has("I said that", "ai")
    assert se.has("skip your pills", "pill*") and not se.has("pillow talk", "pill")
    assert se.has("Thanks, Dana.", "dana")


def test_style_figures_by_hand():
    def log(*texts, phases=None):
        lg = se.SessionLog()
        for i, t in enumerate(texts):
            lg.turns.append(se.TurnLog(i - 1, None if i == 0 else "x", t, (phases or {}).get(i, "working"), [], False))
        return lg

    a = log("Hello, I'm Attune, a very long opening that is not counted at all in the mean.",
            "Thank you. What happened?", "Thank you. What happened next?", "Where were you?",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41",
            "In crisis this long line is not counted " + "word " * 60, phases={5: "crisis"})
    fig = se.style([se.ClientResult("x", "x", [a])])
    assert fig["replies"] == 6
    assert fig["ack_share"] == round(2 / 6, 3)
    assert fig["same_opener_twice"] == 1  # "thank you what" twice in a row
    assert fig["long_replies"] == 1
    assert fig["mean_words"] == round((4 + 5 + 3 + 41) / 4, 2)
