"""CBT step 2: the distortion library loads, and the ranker is right on clear thoughts, deterministic and fast."""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from attune.dialogue.distortions import (
    PRIOR,
    evaluate,
    evaluate_file,
    label_to_id,
    likeliest,
    load_rows,
    normalize,
    rank_distortions,
)
from attune.protocols.loader import BUNDLED, ProtocolError, _load
from attune.protocols.schema import Distortion, DistortionSet

IDS = {
    "all_or_nothing", "catastrophizing", "overgeneralization", "mental_filter", "discounting_positive",
    "mind_reading", "fortune_telling", "emotional_reasoning", "should_statements", "labeling", "personalization",
}
OWN = Path(__file__).resolve().parents[1] / "data" / "distortions_own.jsonl"
# Measured only, never copied into the repo (licence unknown); read from ../shared/data.


@pytest.fixture(scope="module")
def dset() -> DistortionSet:
    return _load(BUNDLED / "distortions.yaml", DistortionSet)


# ---------------------------------------------------------------- the YAML

def test_yaml_fits_schema_with_all_eleven_patterns(dset):
    ids = [d.id for d in dset.distortions]
    assert len(ids) == len(set(ids)) == 11
    assert set(ids) == IDS == set(PRIOR)


def test_spoken_lines_are_plain_single_lines(dset):
    for d in dset.distortions:
        assert d.name and d.name == d.name.strip() and "_" not in d.name
        e = d.explanation
        assert "\n" not in e and 40 <= len(e) <= 160, d.id
        assert e.count(". ") == 0 and e.endswith("."), f"{d.id}: explanation should be one sentence"
        assert "{" not in e and "}" not in e
        assert len(d.cues) >= 5, d.id


def test_bad_yaml_is_rejected(tmp_path):
    p = tmp_path / "distortions.yaml"
    p.write_text("distortions:\n  - id: x\n    name: x\n    explanation: x\n    cues: [{pattern: '(unclosed'}]\n")
    with pytest.raises(ProtocolError):
        _load(p, DistortionSet)


# ---------------------------------------------------------------- ranking

CLEAR = [
    ("I'm going to get fired and then I'll lose everything", "catastrophizing"),
    ("If this rash is serious I won't be able to cope, it'll be the end of the world", "catastrophizing"),
    ("she didn't text back so she must hate me", "mind_reading"),
    ("My coworkers are probably laughing at me behind my back", "mind_reading"),
    ("I always mess everything up", "overgeneralization"),
    ("Every single time I trust someone they let me down", "overgeneralization"),
    ("I should be able to handle this", "should_statements"),
    ("I ought to call my mother every day and I have to keep the house spotless", "should_statements"),
    ("I'm such an idiot", "labeling"),
    ("I'm a loser, plain and simple", "labeling"),
    ("It's my fault the dinner went badly", "personalization"),
    ("My brother relapsed because of me", "personalization"),
    ("I feel like a fraud so I must be one", "emotional_reasoning"),
    ("I feel so guilty, which means I did something terrible", "emotional_reasoning"),
    ("The interview's going to go badly, I just know it", "fortune_telling"),
    ("I'll never be happy", "fortune_telling"),
    ("All I can think about is the one thing I got wrong", "mental_filter"),
    ("I can't stop replaying that awkward silence", "mental_filter"),
    ("It was just luck, anyone could've done it", "discounting_positive"),
    ("They only said it was good to be polite", "discounting_positive"),
    ("Either I'm perfect or I'm nothing", "all_or_nothing"),
    ("If it's not done perfectly there's no point doing it at all", "all_or_nothing"),
]


@pytest.mark.parametrize("text,label", CLEAR)
def test_clear_examples_rank_first(dset, text, label):
    ranked = rank_distortions(text, dset)
    assert ranked[0][0].id == label, [(d.id, s) for d, s in ranked[:3]]
    assert ranked[0][1] > ranked[1][1] or ranked[0][1] > 0


def test_returns_every_pattern_sorted_best_first(dset):
    ranked = rank_distortions("nobody ever listens to me", dset)
    assert {d.id for d, _ in ranked} == IDS
    assert all(isinstance(d, Distortion) and isinstance(s, float) for d, s in ranked)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_deterministic_and_ties_follow_prior(dset):
    text = "I always feel like everyone thinks I'm a failure and it's all my fault"
    first = [(d.id, s) for d, s in rank_distortions(text, dset)]
    for _ in range(5):
        assert [(d.id, s) for d, s in rank_distortions(text, dset)] == first
    # a reordered copy of the set ranks the same: order comes from scores, then PRIOR, not the file
    shuffled = list(dset.distortions)
    random.Random(7).shuffle(shuffled)
    assert [(d.id, s) for d, s in rank_distortions(text, shuffled)] == first
    # equal scores keep PRIOR order
    for i in range(len(first) - 1):
        if first[i][1] == first[i + 1][1]:
            assert PRIOR.index(first[i][0]) < PRIOR.index(first[i + 1][0])


@pytest.mark.parametrize("garbage", ["", "   ", None, "\x00\x01\ufffd", "🙂🙂🙂", "!!!???...", "asdkjh qwe zzz", "((((", "\\b[a-"])
def test_empty_or_garbage_gives_prior_order(dset, garbage):
    ranked = rank_distortions(garbage, dset)
    assert [d.id for d, _ in ranked] == list(PRIOR)
    assert all(s == 0.0 for _, s in ranked)


def test_likeliest(dset):
    top = likeliest("I'll never find anyone, I'll be alone forever", dset, k=3)
    assert len(top) == 3 and top[0].id == "fortune_telling"
    assert likeliest("anything", dset, k=0) == []
    assert len(likeliest("anything", dset, k=50)) == 11


def test_accepts_library_like_objects(dset):
    class Lib:
        distortions = dset

    assert likeliest("I'm such a loser", Lib(), k=1)[0].id == "labeling"


def test_normalize_expands_contractions():
    assert normalize("I’m sure she’ll hate it, I can't, I won't, dont") == (
        "i am sure she will hate it, i can not, i will not, do not")
    assert normalize("Im gonna fail") == "i am going to fail"
    assert normalize("It's  all his fault") == "it is all his fault"


def test_100kb_input_is_fast(dset):
    rng = random.Random(3)
    words = "i always feel like everyone thinks i am a failure and it is my fault what if i lose it all".split()
    big = " ".join(rng.choice(words) for _ in range(30_000))[:100_000]
    rank_distortions("warm up", dset)
    for text in (big, "a" * 100_000, ". " * 50_000):
        t0 = time.perf_counter()
        ranked = rank_distortions(text, dset)
        assert time.perf_counter() - t0 < 1.0
        assert len(ranked) == 11


def test_short_thoughts_are_cheap(dset):
    rank_distortions("warm up", dset)
    t0 = time.perf_counter()
    for _ in range(200):
        rank_distortions("she didn't text back so she must hate me", dset)
    assert (time.perf_counter() - t0) / 200 < 0.01  # 10 ms; measured ~0.4 ms


# ---------------------------------------------------------------- evaluation

def test_label_mapping():
    assert label_to_id("Magnification") == "catastrophizing"
    assert label_to_id("All-or-nothing thinking") == "all_or_nothing"
    assert label_to_id("Fortune-telling") == "fortune_telling"
    assert label_to_id("Mind Reading") == "mind_reading"
    assert label_to_id("mind_reading") == "mind_reading"
    assert label_to_id("No Distortion") is None
    assert label_to_id("") is None


def test_own_set_shape():
    rows = load_rows(OWN)
    assert len(rows) >= 110
    counts: dict[str, int] = {}
    for r in rows:
        assert set(r) == {"text", "label"} and r["text"].strip()
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    assert set(counts) == IDS and min(counts.values()) >= 10


def test_own_set_accuracy_floor(dset):
    # The own set was written before the cues, but by the same author, and the cues were then
    # adjusted once after a first look (top-1 0.924 -> 0.939, top-3 0.992 -> 1.0). So it is a
    # regression guard, not an estimate of real-world accuracy (see the dataset test below for
    # that). Floors leave room for a few deliberate trade-offs when cues change: about one miss
    # in every two patterns at top-3, about one in seven at top-1.
    r = evaluate(load_rows(OWN), dset)
    assert r["n"] >= 110
    assert r["top3"] >= 0.95, r
    assert r["top1"] >= 0.85, r
    assert min(v["top3"] for v in r["per_label"].values()) >= 0.75, r["per_label"]


def test_evaluate_csv_and_jsonl_shapes(tmp_path, dset):
    csv_path = tmp_path / "x.csv"
    csv_path.write_text(
        "\ufeffId_Number,Patient Question,Distorted part,Dominant Distortion,Secondary Distortion (Optional)\n"
        "1,whole question here,I always ruin things,Overgeneralization,Labeling\n"
        "2,I'm such a loser,,Labeling,\n"
        "3,fine day,,No Distortion,\n",
        encoding="utf-8",
    )
    r = evaluate_file(csv_path, dset)
    assert r["n"] == 2 and r["skipped"] == 1 and r["secondary_n"] == 1
    assert r["top1"] == 1.0  # the second row falls back to "Patient Question"
    jl = tmp_path / "x.jsonl"
    jl.write_text("\n".join(json.dumps(x) for x in [{"text": "I should be calmer", "label": "should_statements"}]) + "\n")
    r = evaluate_file(jl, dset)
    assert r["n"] == 1 and r["top1"] == 1.0 and r["majority_top1"] == 1.0
    assert evaluate([], dset)["n"] == 0


def test_heldout_dataset_beats_majority_baseline(dset):
    from tests.conftest import shared_data

    CSV = shared_data("cognitive_distortion_shreevastava2021", "Annotated_data.csv")
    # Shreevastava & Foltz 2021, measure only. Annotators agreed on the type only ~34% of the
    # time, so the ceiling is low. Measured: top-1 0.259, top-3 0.510 (majority 0.150 / 0.421).
    r = evaluate_file(CSV, dset)
    assert r["n"] > 1500
    assert r["top1"] >= r["majority_top1"] + 0.05, r
    assert r["top3"] >= r["majority_top3"] + 0.03, r
