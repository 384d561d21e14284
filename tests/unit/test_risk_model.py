"""Semantic risk layer: numpy MiniLM embeddings, the classifier, and the combined screen."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from attune.dialogue.crisis_eval import evaluate
from attune.dialogue.embed import embed
from attune.dialogue.risk_model import WEIGHTS, load
from attune.dialogue.safety import screen

DATA = Path(__file__).resolve().parents[1] / "data"


# ------------------------------------------------------------------ embeddings
def test_embeddings_have_the_right_shape_and_unit_norm() -> None:
    E = embed(["i want to die", "the weather is lovely today", ""])
    assert E.shape == (3, 384) and E.dtype == np.float32
    assert np.allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)


def test_embeddings_match_the_sentence_transformers_reference() -> None:
    # sentence-transformers' documented output for all-MiniLM-L6-v2 on these three sentences
    E = embed(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    S = E @ E.T
    assert abs(S[0, 1] - 0.6660) < 2e-3 and abs(S[0, 2] - 0.1046) < 2e-3 and abs(S[1, 2] - 0.1411) < 2e-3


def test_paraphrases_are_closer_than_unrelated_sentences() -> None:
    a, b, c = embed(["i wish i were dead", "i want to die", "how do i bake sourdough bread"])
    assert a @ b > 0.5 > a @ c + 0.3


def test_embeddings_are_deterministic_and_independent_of_batching() -> None:
    texts = ["i'm so tired of everything", "a much longer sentence about work and my boss and the slides we made"]
    together = embed(texts)
    alone = np.vstack([embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.array_equal(embed(texts), together)


def test_long_input_is_truncated_not_rejected() -> None:
    assert embed(["word " * 2000]).shape == (1, 384)


# ------------------------------------------------------------------ the classifier
def test_imports_run_one_way() -> None:
    # risk_train -> safety -> risk_model: inference never imports the rule screen or the trainer
    import ast

    def imported(name: str) -> set[str]:
        tree = ast.parse((Path(__file__).resolve().parents[2] / "dialogue" / f"{name}.py").read_text())
        out: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names}
        return out

    assert not {m for m in imported("risk_model") if m.startswith("dialogue")} - {"attune.dialogue.embed", "attune.dialogue.embed.embed"}
    assert not {m for m in imported("safety") if "risk_train" in m}
    assert any("safety" in m for m in imported("risk_train")) and any("risk_model" in m for m in imported("risk_train"))


def test_training_data_round3_is_varied_and_balanced() -> None:
    rows = [json.loads(line) for line in (DATA / "crisis_train_spoken3.jsonl").read_text().splitlines() if line.strip()]
    assert len(rows) >= 600 and len({r["text"] for r in rows}) == len(rows)
    share = sum(r["label"] for r in rows) / len(rows)
    assert 0.4 < share < 0.6


def test_training_data_round4_is_varied_balanced_and_speech_shaped() -> None:
    rows = [json.loads(line) for line in (DATA / "crisis_train_round4.jsonl").read_text().splitlines() if line.strip()]
    assert len(rows) >= 800 and len({r["text"] for r in rows}) == len(rows)
    share = sum(r["label"] for r in rows) / len(rows)
    assert 0.4 < share < 0.6
    assert all(r["text"] == r["text"].lower() and not any(c in r["text"] for c in ".,?!") for r in rows)
    kinds = {r["kind"] for r in rows}
    assert {"hedged", "preparatory", "plan_method", "means_request", "ideation_passive", "euphemism"} <= kinds
    assert {"idiom", "prep_lookalike", "therapy_talk", "past_resolved", "third_party"} <= kinds
    # no row is a dev, held-out or probe sentence
    for name in ("crisis_heldout.jsonl", "crisis_dev_spoken.jsonl", "crisis_dev_posts.jsonl",
                 "crisis_dev2_spoken.jsonl", "crisis_dev2_posts.jsonl", "crisis_moore_probes.jsonl"):
        other = {json.loads(line)["text"].lower() for line in (DATA / name).read_text().splitlines() if line.strip()}
        assert not {r["text"] for r in rows} & other, name


# written for this test, not taken from any dev set: the round-4 weak kinds in new words
@pytest.mark.parametrize("text", [
    "so i've sorted who gets my records and i told my brother where the spare key lives for after",
    "i've got the tablets counted out on the shelf for saturday",
    "um yeah now and then i picture not being here but i wouldn't do anything about it",
    "honestly i reckon i'll be checking out of this life before the summer",
    pytest.param("honestly i reckon i'll be checking out before the summer",
                 marks=pytest.mark.xfail(reason="known limit (round 4): the euphemism with a date but no word of finality")),
])
def test_round4_weak_kinds_are_flagged(text: str) -> None:
    assert screen(text).level in ("concern", "crisis"), screen(text)


@pytest.mark.parametrize("text", [
    "i wrote thank you letters to my grandma and my aunt", "we're checking out of the airbnb at ten tomorrow",
    "this commute is slowly killing me honestly", "i'd wake up and actually want to go to work",
])
def test_round4_look_alikes_stay_negative(text: str) -> None:
    assert screen(text).level == "none", screen(text)


@pytest.mark.parametrize("text", ["thinking abt ctb again", "gonna ctb tonight", "i want to unalive myself"])
def test_post_slang_for_suicide_is_flagged(text: str) -> None:
    assert screen(text).level in ("concern", "crisis"), screen(text)


def test_shipped_weights_are_small_and_load_once() -> None:
    # the nearest-neighbour examples grew by 11 % with round 3's data, 12 % with round 4's, 7 % with round 5's, 13 % with
    # round 6's (stored as float16 already)
    assert WEIGHTS.stat().st_size < 7_500_000
    assert load() is load()
    m = load()
    assert 0.0 < m.t_concern <= m.t_crisis <= 1.0


@pytest.mark.parametrize("text, category", [
    ("honestly i'm counting the days till i can finally rest for good", "suicide"),
    ("the cuts on my legs are ones i did", "self_harm"),
    ("my stepfather shoved me into the door", "danger_from_others"),
    ("my chest is crushing and my left arm went numb", "medical"),
])
def test_model_scores_paraphrases_of_risk(text: str, category: str) -> None:
    s = load().score([text])[0]
    assert s.level in ("concern", "crisis") and s.category == category, s


# ------------------------------------------------------------------ the combined screen
def test_semantic_layer_catches_what_the_rules_miss() -> None:
    text = "honestly i'm counting the days till i can finally rest for good"
    assert screen(text, semantic=False).level == "none"
    verdict = screen(text)
    assert verdict.level in ("concern", "crisis") and verdict.category == "suicide"
    assert verdict.reason.startswith("semantic: similar to")


@pytest.mark.parametrize("text", [
    "this deadline is killing me", "I'm dying to see that movie", "I could kill for a coffee", "my phone is dead",
    "I nearly died laughing", "i'd rather die than go camping", "my boss will kill me if i'm late again",
    "i would never kill myself", "i'm not suicidal, just exhausted", "my uncle killed himself when i was a kid",
    "i used to feel suicidal but now i'm doing way better", "that's a good idea, i'll try that tonight",
    "i will definitely do that", "my grandmother died last year", "i hate my job", "i cut myself shaving",
])
def test_idioms_negations_and_chat_stay_negative(text: str) -> None:
    assert screen(text).level == "none", (text, screen(text))


def test_rule_hits_are_unchanged_by_the_second_layer() -> None:
    for text in ("i want to kill myself", "I took a whole bottle of pills", "i can't do this anymore"):
        assert screen(text) == screen(text, semantic=False)


def test_heldout_bar_with_the_combined_screen() -> None:
    rows = [json.loads(line) for line in (DATA / "crisis_heldout.jsonl").read_text().splitlines() if line.strip()]
    result, misses = evaluate(rows)
    assert result["recall"] >= 0.98, (result, [m for m in misses if m["label"] == 1])
    assert result["false_positive_rate"] <= 0.05, (result, [m for m in misses if m["label"] == 0])


def test_training_data_is_large_balanced_and_disjoint_from_heldout() -> None:
    train = [json.loads(line) for line in (DATA / "crisis_train.jsonl").read_text().splitlines() if line.strip()]
    held = {json.loads(line)["text"].lower() for line in (DATA / "crisis_heldout.jsonl").read_text().splitlines()
            if line.strip()}
    assert len(train) >= 1500
    share = sum(r["label"] for r in train) / len(train)
    assert 0.35 < share < 0.65
    assert not [r["text"] for r in train if r["text"].lower() in held]


def test_100_kb_with_the_semantic_layer_stays_fast() -> None:
    screen("warm up the model")
    filler = ("I've been feeling kind of stressed about work, you know, and my boss keeps yelling at me. "
              "We talked about the budget and the new office. My sister visited on sunday and we cooked. ")
    text = (filler * 600)[:100_000].rsplit(". ", 1)[0] + ". Honestly I'm counting the days till I can finally rest for good."
    assert len(text) > 99_000
    start = time.process_time()
    verdict = screen(text)
    elapsed = time.process_time() - start
    assert verdict.level in ("concern", "crisis")
    assert elapsed < 1.5, elapsed


def test_100_kb_of_distinct_sentences_stays_fast() -> None:
    screen("warm up the model")
    words = "work boss slides budget office sister sunday cooked park train weather dinner rent kids school".split()
    sentences = [f"On day {i} the {words[i % 15]} and the {words[(i * 7) % 15]} took a while, then we went home."
                 for i in range(1400)]
    text = " ".join(sentences)[:100_000]
    start = time.process_time()
    screen(text)
    assert time.process_time() - start < 1.5


# dev2 was written before the round-2 changes and is never trained or tuned on; floors sit a little under what we
# measured at the end of round 2 (spoken recall 0.8231 at FPR 0.0388; baseline before round 2: 0.7692 / 0.031),
# so a regression shows, not noise.
def test_dev2_spoken_floor() -> None:
    rows = [json.loads(line) for line in (DATA / "crisis_dev2_spoken.jsonl").read_text().splitlines() if line.strip()]
    result, _ = evaluate(rows)
    assert result["recall"] >= 0.80 and result["false_positive_rate"] <= 0.05, result
