"""The bench's WER counts recognition errors, not formatting: "six" and "6" are the same word."""
from attune.voice.bench.latency import wer


def test_digits_and_number_words_score_alike():
    assert wer([("I gave it six out of ten", "I gave it 6 out of 10.")]) == 0.0
    assert wer([("in fourteen eighty five", "In 1485,")]) == 0.0
    assert wer([("twenty three", "23")]) == 0.0


def test_real_errors_still_count():
    assert wer([("I gave it six out of ten", "I gave it seven out of ten")]) == 1 / 7
    assert wer([("the block books", "the black box")]) == 2 / 3


def _clip(name: str, seconds: float):
    import numpy as np

    from attune.voice.bench.latency import Clip

    return Clip(name, name, np.zeros(int(seconds * 16000), np.float32), 0.05, seconds - 0.05)


def test_hesitation_turns_pause_600_to_900_ms_after_the_cut_and_are_scored_apart():
    from attune.voice.bench.latency import Run, build_plan, score_run, summarise

    clips = [_clip(f"c{i}", 2.0) for i in range(20)]
    pairs = [(_clip(f"h{i}a", 1.5), _clip(f"h{i}b", 1.2)) for i in range(4)]
    turns = build_plan(clips, n_single=2, n_joined=1, n_barge=0, n_hesitation=4, hesitations=pairs)
    hes = [t for t in turns if t.kind == "hesitation"]
    assert len(hes) == 4
    assert all(0.6 <= t.pauses[0] <= 0.93 for t in hes) and max(t.pauses[0] for t in hes) >= 0.9
    # a reply that starts inside the hesitation is a cut-in on an unfinished clause
    t = 0.0
    for turn in turns:
        turn.place(t)
        t += sum(c.duration for c in turn.clips) + sum(turn.pauses) + 2.0
    h = hes[0]
    gap_mid = (h.gaps[0][0] + h.gaps[0][1]) / 2
    run = Run(turns=turns, events=[{"type": "reply_audio_start", "t": gap_mid}])
    s = summarise([run], [score_run(run)])
    assert s["cut_ins"] == 1 and s["cut_ins_unfinished"] == 1 and s["cut_ins_finished"] == 0
    assert s["hesitation_turns"] == 4


def test_turns_after_the_brain_closed_the_session_are_not_scored_as_unanswered():
    from attune.voice.bench.latency import Run, Turn, score_run, summarise

    turns = [Turn("single", [_clip(f"s{i}", 2.0)], []) for i in range(3)]
    for i, turn in enumerate(turns):
        turn.place(i * 5.0)
    events = [{"type": "transcript_final", "t": 2.3, "text": "s0"}, {"type": "reply_audio_start", "t": 2.5},
              {"type": "session_end", "t": 4.0}]  # a door that hangs up: nothing is heard after this
    run = Run(turns=turns, events=events)
    s = summarise([run], [score_run(run)])
    assert s["unanswered"] == 0 and s["after_session_end"] == 2
    assert s["wer"] == 0.0  # the unheard turns do not count as recognition errors
