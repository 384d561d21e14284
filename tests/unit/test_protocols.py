"""The clinical protocols: they load, broken copies fail clearly, and every spoken line keeps
the style rules of PROTOCOLS.md (short, one question at the end, plain, no method or means words).
"""
from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
import yaml

from attune.protocols import loader
from attune.protocols.loader import Library, ProtocolError, load_library
from attune.protocols.schema import COMMON_FIELDS, placeholders

BUNDLED = loader.BUNDLED

# ---------------------------------------------------------------------------------------------
# fixtures

_MINIMAL_DISTORTIONS = {
    "distortions": [
        {
            "id": f"d{i}",
            "name": f"pattern {i}",
            "explanation": "That's when the mind takes a shortcut.",
            "cues": [{"pattern": rf"\bword{i}a\b"}, {"pattern": rf"\bword{i}b\b"}, {"pattern": rf"\bword{i}c\b"}],
        }
        for i in range(11)
    ]
}


def _copy_protocols(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in BUNDLED.glob("*.yaml"):
        shutil.copy(f, dest / f.name)
    if not (dest / "distortions.yaml").exists():  # written by another helper; stand in for it
        (dest / "distortions.yaml").write_text(yaml.safe_dump(_MINIMAL_DISTORTIONS), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def proto_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if (BUNDLED / "distortions.yaml").exists():
        return BUNDLED
    return _copy_protocols(tmp_path_factory.mktemp("protocols"))


@pytest.fixture(scope="module")
def lib(proto_dir: Path) -> Library:
    return load_library(proto_dir)


# ---------------------------------------------------------------------------------------------
# sample values for rendering

COMMON_SAMPLE = {
    "name": "Sam",
    "echo": "your boss shouted at you in front of everyone",
    "feeling": "anxious",
    "recall": "Last time you chose one small step, a short walk after work.",
    "modality_name": "thought work",
    "modality_list": "thought work, body awareness, quick support, relationship work, or small steps",
    "distortion_name": "mind reading",
    "distortion_explanation": "That's when we feel sure we know what someone else thinks of us.",
    "draft": "I made one mistake, and my manager has also praised my work",
    "card": "When the meeting went badly, the old thought was I'm useless, the new thought is I made "
    "one mistake, and one thing to do is ask for feedback.",
    "summary": "You caught the thought and tested it against the facts. You found a steadier way to see it.",
    "minutes_left": "5",
    "resources": "the Suicide and Crisis Lifeline, call or text 9 8 8, or the Crisis Text Line, text HOME to 7 4 1 7 4 1",
    "emergency": "9 1 1",
    "danger": "the National Domestic Violence Hotline, call 1 800 799 7233",
    "youth": "the Papyrus HOPELINE247, call free on 0 8 0 0, 0 6 8, 4 1 4 1",
    "them": "him",
    "they": "he",
    "step_question": "What went through your mind right then?",
    "key": "your boss shouted at you",
}

SLOT_SAMPLE = {
    "situation": "the team meeting this morning",
    "more": "the evenings are the worst",
    "emotion": "anxious",
    "emotion_intensity": "80",
    "automatic_thought": "I'm useless",
    "distortion": "labeling",
    "evidence_for": "I forgot the numbers",
    "evidence_against": "my manager praised my last report",
    "friend_advice": "one slip doesn't make you useless",
    "adaptive_thought": "I made one mistake, and I'm still good at my job",
    "belief_rerate": "40",
    "emotion_rerate": "35",
    "action": "ask for feedback on Friday",
    "body_notice": "my chest is tight",
    "body_location": "in my chest",
    "body_quality": "tight and warm",
    "sensation_voice": "slow down",
    "named_feeling": "angry",
    "avoided": "sadness",
    "event": "the fight with my boss",
    "feelings": "angry and embarrassed",
    "grounding": "paced breathing",
    "settled": "a bit calmer",
    "next_step": "sleep on it before replying",
    "steadiness": "a little steadier",
    "trigger": "he doesn't text back",
    "surface_reaction": "anger",
    "underlying_emotion": "fear",
    "attachment_need": "to matter",
    "deepened": "it feels like being left behind",
    "reframe": "I'm grieving, and that's okay",
    "own_answer": "I need to ask for what I need",
    "best_hopes": "a bit of clarity",
    "miracle": "I'd get up without dread",
    "exceptions": "weekends with my sister",
    "scale": "3",
    "scale_reason": "my sister checks in on me",
    "small_step": "rest on Sunday without guilt",
}

RECALL_FIELDS = {"name", "topic", "new_thought", "action", "small_step", "modality_name"}
RECALL_SAMPLE = {
    "name": "Sam",
    "topic": "the fight with your boss",
    "new_thought": "I made one mistake, and I'm still good at my job",
    "action": "ask for feedback on Friday",
    "small_step": "a short walk after work",
    "modality_name": "thought work",
}

# Fields that may be empty at run time (the person skipped a step, or no feeling word was found):
# every variant set keeps at least one variant without them, for the engine to fall back on.
OPTIONAL_COMMON = {"echo", "feeling", "key"}
# Sets the engine says only when their field exists: they exist to echo the person's words.
ECHO_ONLY = {"session.lines.reflections", "session.lines.reflect_feeling", "session.lines.reflect_positive",
             "session.lines.reflect_key", "session.lines.mood_words", "session.lines.summary_partial"}


class _Defaulted(dict):
    def __missing__(self, key: str) -> str:
        return "a few words"


def _render(template: str, values: dict[str, str]) -> str:
    return template.format_map(_Defaulted(values))


# ---------------------------------------------------------------------------------------------
# every spoken template, with where it lives and the fields it may use

Spoken = tuple[str, str, list[str], set[str]]  # (where, set id, variants, optional fields)


def spoken_sets(lib: Library) -> Iterator[tuple[str, list[str], set[str]]]:
    """(where, variants, fields that may be empty) for every set of spoken variants."""
    for key, variants in lib.session.lines.items():
        yield f"session.lines.{key}", variants, OPTIONAL_COMMON
    for mid, mod in lib.modalities.items():
        slots = {s.slot for s in mod.steps if s.slot}
        opt = OPTIONAL_COMMON | slots
        yield f"{mid}.intro", mod.intro, opt
        yield f"{mid}.summary", mod.summary, opt
        for s in mod.steps:
            yield f"{mid}.steps.{s.id}.prompts", s.prompts, opt
            if s.reprompts:
                yield f"{mid}.steps.{s.id}.reprompts", s.reprompts, opt
    for key, variants in lib.crisis.lines.items():
        yield f"crisis.lines.{key}", variants, OPTIONAL_COMMON
    for group in ("screener", "safety_plan"):
        for s in getattr(lib.crisis, group):
            yield f"crisis.{group}.{s.id}.prompts", s.prompts, OPTIONAL_COMMON
            if s.reprompts:
                yield f"crisis.{group}.{s.id}.reprompts", s.reprompts, OPTIONAL_COMMON
    for limit in type(lib.scope).model_fields:
        yield f"scope.{limit}.lines", getattr(lib.scope, limit).lines, OPTIONAL_COMMON


def all_spoken(lib: Library) -> list[tuple[str, str, str]]:
    """(where, template, rendered) for every spoken line, rendered with sample values."""
    values = {**COMMON_SAMPLE, **SLOT_SAMPLE}
    out = [(where, t, _render(t, values)) for where, variants, _ in spoken_sets(lib) for t in variants]
    out += [(f"session.recall.{k}", t, _render(t, RECALL_SAMPLE)) for k, t in lib.session.recall.items()]
    return out


# ---------------------------------------------------------------------------------------------
# loading

ORDER = {
    "cbt": ["situation", "emotion", "emotion_intensity", "automatic_thought", "distortion", "evidence_for",
            "evidence_against", "friend_advice", "adaptive_thought", "belief_rerate", "emotion_rerate", "action",
            "card"],
    "gestalt": ["notice", "locate", "describe", "stay", "give_voice", "first_person", "behind_fine", "grounding"],
    "express": ["vent", "reflect", "grounding_choice", "breathing", "senses", "after_grounding", "listen", "next_step"],
    "efit": ["steady", "trigger", "surface_reaction", "underlying_emotion", "attachment_need", "deepen", "reframe",
             "own_answer"],
    "sfbt": ["best_hopes", "miracle", "exceptions", "scale", "scale_reason", "small_step"],
}


def test_bundled_library_loads(lib: Library) -> None:
    assert set(lib.modalities) == {"cbt", "gestalt", "express", "efit", "sfbt"}
    for mid, ids in ORDER.items():
        assert [s.id for s in lib.modalities[mid].steps] == ids, mid


def test_default_folder_loads_when_complete() -> None:
    assert load_library().session.lines["disclosure"]


def test_the_engine_contract_slots_and_kinds(lib: Library) -> None:
    steps = {mid: {s.id: s for s in m.steps} for mid, m in lib.modalities.items()}
    cbt = steps["cbt"]
    for sid in ORDER["cbt"][:-1]:
        assert cbt[sid].slot == sid
    assert (cbt["emotion_intensity"].kind, cbt["emotion_intensity"].min, cbt["emotion_intensity"].max) == ("number", 0, 100)
    for sid in ("belief_rerate", "emotion_rerate"):
        assert (cbt[sid].kind, cbt[sid].min, cbt[sid].max, cbt[sid].optional) == ("number", 0, 100, True)
    assert cbt["distortion"].kind == "distortion"
    assert cbt["adaptive_thought"].kind == "adaptive_thought"
    assert cbt["card"].kind == "artefact"
    assert lib.modalities["cbt"].artefact.title == "Coping card"
    assert lib.modalities["cbt"].artefact.fields == {
        "trigger": "{situation}", "old_thought": "{automatic_thought}",
        "new_thought": "{adaptive_thought}", "action": "{action}",
    }
    g = steps["gestalt"]
    assert {k: g[k].slot for k in ("locate", "describe", "give_voice", "first_person", "behind_fine")} == {
        "locate": "body_location", "describe": "body_quality", "give_voice": "sensation_voice",
        "first_person": "named_feeling", "behind_fine": "avoided",
    }
    assert g["behind_fine"].optional and g["stay"].kind == g["grounding"].kind == "statement"
    for sid in ("notice", "locate", "describe", "stay", "grounding"):
        assert g[sid].pace == "slow", sid
    assert lib.modalities["gestalt"].artefact.title == "What your body told you"
    assert set(lib.modalities["gestalt"].artefact.fields) == {"sensation", "feeling", "message"}
    e = steps["express"]
    assert {k: e[k].slot for k in ("vent", "reflect", "grounding_choice", "after_grounding", "listen", "next_step")} == {
        "vent": "event", "reflect": "feelings", "grounding_choice": "grounding",
        "after_grounding": "settled", "listen": "more", "next_step": "next_step",
    }
    assert e["grounding_choice"].kind == "choice"
    assert set(e["grounding_choice"].choices) == {"paced breathing", "five senses"}
    for sid in ("breathing", "senses"):
        assert e[sid].kind == "statement" and e[sid].pace == "slow"
    assert lib.modalities["express"].artefact.title == "Your next step"
    assert set(lib.modalities["express"].artefact.fields) == {"situation", "grounding", "next_step"}
    f = steps["efit"]
    assert f["steady"].slot == "steadiness" and f["steady"].optional
    assert (f["deepen"].slot, f["reframe"].slot, f["own_answer"].slot) == ("deepened", "reframe", "own_answer")
    assert lib.modalities["efit"].artefact.title == "Your cycle"
    assert set(lib.modalities["efit"].artefact.fields) == {"cycle", "new_story", "your_answer"}
    s = steps["sfbt"]
    assert (s["scale"].kind, s["scale"].min, s["scale"].max) == ("number", 0, 10)
    assert all(s[k].slot == k for k in ORDER["sfbt"])
    assert lib.modalities["sfbt"].artefact.title == "Your small step"
    assert set(lib.modalities["sfbt"].artefact.fields) == {"scale", "what_helps", "small_step"}


# ---------------------------------------------------------------------------------------------
# broken copies fail with a ProtocolError naming the file and the field


def _edit(folder: Path, name: str, change: Callable[[dict], None]) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _break_syntax(folder: Path) -> None:
    (folder / "cbt.yaml").write_text("id: cbt\nsteps: [\n  - id: situation\n", encoding="utf-8")


def _drop_disclosure(folder: Path) -> None:
    _edit(folder, "session.yaml", lambda d: d["lines"].pop("disclosure"))


def _bad_regex(folder: Path) -> None:
    _edit(folder, "express.yaml", lambda d: d["cues"][0].update(pattern="(unclosed"))


def _unknown_placeholder(folder: Path) -> None:
    _edit(folder, "gestalt.yaml", lambda d: d["steps"][0]["prompts"].append("What do you notice, {nmae}?"))


def _number_without_max(folder: Path) -> None:
    def change(d: dict) -> None:
        next(s for s in d["steps"] if s["id"] == "scale").pop("max")

    _edit(folder, "sfbt.yaml", change)


def _no_default_locale(folder: Path) -> None:
    _edit(folder, "crisis.yaml", lambda d: d["resources"].pop("default"))


def _drop_crisis_line(folder: Path) -> None:
    _edit(folder, "crisis.yaml", lambda d: d["lines"].pop("means_refusal"))


def _drop_scope_limit(folder: Path) -> None:
    _edit(folder, "scope.yaml", lambda d: d.pop("minor"))


def _wrong_id(folder: Path) -> None:
    _edit(folder, "efit.yaml", lambda d: d.update(id="sfbt"))


def _missing_file(folder: Path) -> None:
    (folder / "sfbt.yaml").unlink()


def _unknown_placeholder_in_line(folder: Path) -> None:
    _edit(folder, "session.yaml", lambda d: d["lines"]["goodbye"].append("Goodbye, {nickname}."))


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_break_syntax, ["cbt.yaml", "not valid YAML"]),
        (_drop_disclosure, ["session.yaml", "lines", "disclosure"]),
        (_bad_regex, ["express.yaml", "cues.0.pattern", "(unclosed"]),
        (_unknown_placeholder, ["gestalt.yaml", "steps.notice", "nmae"]),
        (_unknown_placeholder_in_line, ["session.yaml", "lines.goodbye", "nickname"]),
        (_number_without_max, ["sfbt.yaml", "scale", "min and max"]),
        (_no_default_locale, ["crisis.yaml", "resources", "default"]),
        (_drop_crisis_line, ["crisis.yaml", "means_refusal"]),
        (_drop_scope_limit, ["scope.yaml", "minor"]),
        (_wrong_id, ["efit.yaml", "id"]),
        (_missing_file, ["sfbt.yaml", "missing"]),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] if callable(v) else "",
)
def test_a_broken_copy_fails_naming_file_and_field(tmp_path: Path, breakage, expected: list[str]) -> None:
    folder = _copy_protocols(tmp_path / "protocols")
    load_library(folder)  # the untouched copy is fine
    breakage(folder)
    with pytest.raises(ProtocolError) as err:
        load_library(folder)
    for part in expected:
        assert part in str(err.value), (part, str(err.value))


# ---------------------------------------------------------------------------------------------
# rendering and spoken style


def test_sample_values_cover_every_field(lib: Library) -> None:
    assert set(COMMON_SAMPLE) == set(COMMON_FIELDS), "give new COMMON_FIELDS a sample value here"
    slots = {s.slot for m in lib.modalities.values() for s in m.steps if s.slot}
    assert slots <= set(SLOT_SAMPLE), sorted(slots - set(SLOT_SAMPLE))


def test_every_template_renders(lib: Library) -> None:
    values = {**COMMON_SAMPLE, **SLOT_SAMPLE}
    templates: list[tuple[str, str, dict]] = [(w, t, values) for w, vs, _ in spoken_sets(lib) for t in vs]
    for mid, mod in lib.modalities.items():
        templates += [(f"{mid}.artefact.{k}", t, values) for k, t in mod.artefact.fields.items()]
    templates += [(f"session.recall.{k}", t, RECALL_SAMPLE) for k, t in lib.session.recall.items()]
    for where, t, vals in templates:
        rendered = t.format(**vals)  # plain str.format: a missing field would raise KeyError
        assert "{" not in rendered and "}" not in rendered, (where, rendered)


def test_placeholders_are_known_everywhere(lib: Library) -> None:
    # crisis steps and scope lines are not checked by the schema, so check them here
    for where, variants, _ in spoken_sets(lib):
        mid = where.split(".")[0]
        known = set(COMMON_FIELDS)
        if mid in lib.modalities:
            known |= {s.slot for s in lib.modalities[mid].steps if s.slot}
        for t in variants:
            assert placeholders(t) <= known, (where, t)


def test_name_only_where_the_engine_guarantees_it(lib: Library) -> None:
    for where, variants, _ in spoken_sets(lib):
        if where in ("session.lines.greet_named", "session.lines.greet_returning", "session.lines.name_then_mood",
                     "session.lines.name_then_topic", "session.lines.name_given_late"):
            assert all("name" in placeholders(t) for t in variants), where
            continue
        for t in variants:
            assert "name" not in placeholders(t), (where, t)


def test_recall_templates(lib: Library) -> None:
    assert {"card", "step", "topic"} <= set(lib.session.recall) <= {"card", "step", "topic", "told", "said", "safety", "started", "started_told"}
    for key, t in lib.session.recall.items():
        assert placeholders(t) <= RECALL_FIELDS, (key, t)
        rendered = t.format(**RECALL_SAMPLE)
        assert len(_sentences(rendered)) == 1 and "?" not in rendered, (key, rendered)


_MARKDOWN = re.compile(r"[*_#`~|<>\[\]{}()]|^\s*[-+]\s|^\s*\d+[.)]\s|\n")
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|dr|mr|mrs|approx|cbt|efit|sfbt|c-ssrs|ok)\b|[&%/@+=]", re.I)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])[\"']?\s+", text.strip()) if s.strip()]


def _word_count(text: str) -> int:
    collapsed = re.sub(r"\d+(?:,? \d+)+", "0", text)  # a spaced-out phone number counts as one word
    return len(collapsed.split())


def test_spoken_style(lib: Library) -> None:
    problems: list[str] = []
    for where, template, text in all_spoken(lib):
        def bad(why: str) -> None:
            problems.append(f"{where}: {why}: {text!r}")

        if not text.isascii() or any(ord(c) < 32 for c in text):
            bad("only plain characters (no emoji, dashes, curly quotes or control characters)")
        if _MARKDOWN.search(text):
            bad("no markdown, brackets, lists or line breaks")
        if _ABBREVIATIONS.search(text):
            bad("no abbreviations or symbols the voice may misread")
        if "  " in text or text != text.strip():
            bad("stray spaces")
        if not text[:1].isupper():
            bad("starts with a capital letter")
        if not re.search(r"[.?!]\"?$", text):
            bad("ends with a full stop or a question mark")
        if len(_sentences(text)) > 3:
            bad(f"{len(_sentences(text))} sentences (max 3)")
        if _word_count(text) > 50:
            bad(f"{_word_count(text)} words (max 50)")
        if text.count("?") > 1:
            bad("more than one question")
        if "?" in text and not text.endswith("?"):
            bad("the question must come at the end")
        if re.search(r"\d{3,}", template):
            bad("numbers of three or more digits are read as one big number: space the digits out")
    assert not problems, "\n".join(problems)


def test_no_two_variants_alike(lib: Library) -> None:
    for where, variants, _ in spoken_sets(lib):
        norm = [re.sub(r"\W+", " ", v.lower()).strip() for v in variants]
        assert len(set(norm)) == len(norm), (where, "repeated variant")
        for i, a in enumerate(norm):
            for b in norm[i + 1:]:
                ratio = difflib.SequenceMatcher(None, a, b).ratio()
                assert ratio < 0.85, (where, "variants too alike", a, b)


def test_enough_variants(lib: Library) -> None:
    for mid, mod in lib.modalities.items():
        assert len(mod.intro) >= 2 and len(mod.summary) >= 2, mid
        for s in mod.steps:
            assert len(s.prompts) >= 3, (mid, s.id, "needs 3 prompt variants")
            if s.kind not in ("statement", "artefact"):
                assert len(s.reprompts) >= 2, (mid, s.id, "needs 2 reprompt variants")
    for key, variants in lib.session.lines.items():
        assert len(variants) >= 3, ("session", key)
    for key, variants in lib.crisis.lines.items():
        assert len(variants) >= 3, ("crisis", key)
    for s in lib.crisis.screener + lib.crisis.safety_plan:
        assert len(s.prompts) >= 3 and len(s.reprompts) >= 2, ("crisis", s.id)
    for limit in type(lib.scope).model_fields:
        assert len(getattr(lib.scope, limit).lines) >= 3, ("scope", limit)


def test_every_set_has_a_variant_that_never_breaks(lib: Library) -> None:
    """A slot can be empty (the person skipped it) and no feeling word may be found, so each set
    keeps one variant that uses none of those fields."""
    for where, variants, optional in spoken_sets(lib):
        if where in ECHO_ONLY:
            continue
        safe = [t for t in variants if not placeholders(t) & optional]
        assert safe, (where, "add a variant without", sorted(set().union(*(placeholders(t) for t in variants)) & optional))


def test_sentence_placeholders_stand_alone(lib: Library) -> None:
    """{recall} {summary} {card} {step_question} {distortion_explanation} are whole sentences."""
    for where, variants, _ in spoken_sets(lib):
        for t in variants:
            for f in ("recall", "summary", "card", "step_question", "distortion_explanation"):
                i = t.find("{" + f + "}")
                if i > 0:
                    assert re.search(r"[.?!]\s$", t[:i]), (where, f, t)


def test_disclosure_says_everything(lib: Library) -> None:
    for t in lib.session.lines["disclosure"]:
        low = t.lower()
        for must in ("ai", "not a human therapist", "not an emergency service", "adults", "encrypted",
                     "export", "delete"):
            assert must in low, (must, t)
        assert t.endswith("?") and ("call you" in low or "name" in low), t


def test_ai_is_always_honest(lib: Library) -> None:
    for t in lib.session.lines["ai_disclosure"] + lib.scope.ask_if_human.lines:
        assert "I'm an AI" in t and t.endswith("{step_question}"), t


# ---------------------------------------------------------------------------------------------
# safety content

_MEANS = re.compile(
    r"\b(pills?|overdos\w*|tablets?|dose|doses|lethal|rope|noose|hang|hangs|hanging|hanged|jump|jumps|jumping|"
    r"bridge|bridges|guns?|firearms?|weapons?|shoot|shot|knife|knives|blades?|razors?|cut|cuts|cutting|slit|"
    r"wrists?|poison\w*|bleach|ligatures?|suffocat\w*|strangl\w*|drown\w*|ledge|rooftop|cliff|railway|"
    r"carbon monoxide|fumes)\b",
    re.I,
)


def test_no_method_or_means_words_anywhere(proto_dir: Path) -> None:
    hits = []
    for path in sorted(proto_dir.glob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _MEANS.search(line)
            if m:
                hits.append(f"{path.name}:{n}: {m.group(0)!r} in {line.strip()!r}")
    assert not hits, "\n".join(hits)


def test_crisis_screener_and_safety_plan(lib: Library) -> None:
    c = lib.crisis
    assert [s.id for s in c.screener] == ["thoughts", "method", "intent", "plan", "preparation", "safe_now"]
    assert all(s.kind == "yesno" and s.slot == s.id for s in c.screener)
    assert "killing yourself" in c.screener[0].prompts[0]
    assert [s.id for s in c.safety_plan] == ["warning_signs", "coping", "people", "professionals",
                                            "safer_surroundings"]
    assert all(s.kind == "text" and s.slot == s.id for s in c.safety_plan)
    assert all("{resources}" in t or "{emergency}" in t for t in c.lines["resources_spoken"])


def test_crisis_resources_per_locale(lib: Library) -> None:
    res = lib.crisis.resources
    for loc in ("US", "UK", "IE", "EU", "CA", "AU", "default"):
        assert res.get(loc), loc
        assert lib.crisis.emergency_numbers.get(loc), loc
    numbers = {loc: {r.number for r in rs} for loc, rs in res.items()}
    assert {"988", "741741", "911"} <= numbers["US"]
    assert {"116 123", "85258", "999"} <= numbers["UK"]
    assert {"116 123", "50808"} <= numbers["IE"]
    assert "112" in numbers["EU"]
    assert "988" in numbers["CA"]
    assert {"13 11 14", "000"} <= numbers["AU"]
    assert any("find a helpline dot com" in r.text for r in res["default"])
    assert any("find a helpline dot com" in r.text for r in res["EU"])
    spoken = [r.text for rs in res.values() for r in rs] + list(lib.crisis.emergency_numbers.values())
    spoken += [r.text for limit in type(lib.scope).model_fields for rs in getattr(lib.scope, limit).resources.values()
               for r in rs]
    for text in spoken:
        assert not re.search(r"\d{3,}", text), f"space out the digits so the voice reads them one by one: {text!r}"


def test_scope_limits(lib: Library) -> None:
    s = lib.scope
    assert s.minor.then == "close" and s.psychosis_mania.then == "close"
    for limit in ("medication", "diagnosis", "compulsion", "ask_if_human"):
        assert getattr(s, limit).then == "continue", limit
        assert all(t.endswith("{step_question}") for t in getattr(s, limit).lines), limit
    youth = {loc: {r.number for r in rs} for loc, rs in s.minor.resources.items()}
    assert "988" in youth["US"] and "0800 1111" in youth["UK"] and "1800 66 66 66" in youth["IE"]
    assert youth.get("default")
    assert all("adult" in t for t in s.minor.lines)
    assert all(re.search(r"doctor|psychiatrist|pharmacist", t) for t in s.medication.lines)
    assert all(re.search(r"doctor|psychologist|clinician", t) for t in s.diagnosis.lines)
    assert all(re.search(r"doctor|mental health", t) for t in s.psychosis_mania.lines)


# ---------------------------------------------------------------------------------------------
# patterns: they compile and catch what people say


def _all_patterns(lib: Library) -> Iterator[tuple[str, str]]:
    for p in lib.session.end_patterns:
        yield "session.end_patterns", p
    for p in lib.session.decline_patterns:
        yield "session.decline_patterns", p
    for mid, mod in lib.modalities.items():
        for p in mod.aliases:
            yield f"{mid}.aliases", p
        for c in mod.cues:
            yield f"{mid}.cues", c.pattern
        for s in mod.steps:
            for key, pats in s.choices.items():
                for p in pats:
                    yield f"{mid}.steps.{s.id}.choices.{key}", p


def test_every_pattern_compiles(lib: Library) -> None:
    for where, p in _all_patterns(lib):
        re.compile(p)  # raises with the pattern on failure
        assert not re.search(r"[A-Z]", re.sub(r"\\[A-Za-z]", "", p)), (where, "use lowercase", p)


def _route(lib: Library, text: str) -> str:
    low = text.lower()
    scores = {mid: sum(c.weight for c in m.cues if re.search(c.pattern, low)) for mid, m in lib.modalities.items()}
    best = max(scores, key=scores.get)
    assert scores[best] > 0, text
    assert sorted(scores.values())[-2] < scores[best], (text, scores)
    return best


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I keep thinking I'm useless", "cbt"),
        ("I'm a failure and it's only going to get worse", "cbt"),
        ("I worry about everything all the time", "cbt"),
        ("I'm just tired, I don't really know what I feel", "gestalt"),
        ("I don't know what I feel, I'm just numb", "gestalt"),
        ("my chest has been tight all week", "gestalt"),
        ("I had a huge fight with my boss today", "express"),
        ("I got really harsh feedback and I can't sleep", "express"),
        ("I just need to vent", "express"),
        ("my boyfriend left", "efit"),
        ("my husband and I keep arguing and I feel so jealous", "efit"),
        ("I can't stand how my mother treats me, it's like I'm unwanted", "efit"),
        ("I can't get anything done at work", "sfbt"),
        ("I'm completely burned out", "sfbt"),
        ("I keep procrastinating and what's the point of this job anyway", "sfbt"),
    ],
)
def test_router_cues_point_the_right_way(lib: Library, text: str, expected: str) -> None:
    assert _route(lib, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can we do cbt", "cbt"),
        ("let's do some thought work", "cbt"),
        ("the cognitive one please", "cbt"),
        ("gestalt please", "gestalt"),
        ("body awareness sounds good", "gestalt"),
        ("i just want to vent", "express"),
        ("quick support", "express"),
        ("let me let off steam", "express"),
        ("the relationship one", "efit"),
        ("emotion focused please", "efit"),
        ("solution focused", "sfbt"),
        ("small steps", "sfbt"),
    ],
)
def test_aliases_pick_one_modality(lib: Library, text: str, expected: str) -> None:
    hits = {mid for mid, m in lib.modalities.items() if any(re.search(p, text) for p in m.aliases)}
    assert hits == {expected}, (text, hits)


@pytest.mark.parametrize("text", ["I have to go.", "Sorry, I need to go now", "can we stop here?",
                                  "let's wrap up", "I'd like to stop for today", "I'm done.", "okay bye",
                                  "that's enough for today", "let's end the session"])
def test_end_patterns_catch(lib: Library, text: str) -> None:
    assert any(re.search(p, text.lower()) for p in lib.session.end_patterns), text


@pytest.mark.parametrize("text", ["I need to stop procrastinating", "I have to go to work tomorrow and I dread it",
                                  "I want to stop feeling like this", "I'm done trying to please him",
                                  "my boss told me to finish the report"])
def test_end_patterns_leave_content_alone(lib: Library, text: str) -> None:
    assert not any(re.search(p, text.lower()) for p in lib.session.end_patterns), text


@pytest.mark.parametrize("text", ["I don't know", "i dont know.", "Um, I don't know what to say", "skip",
                                  "Pass.", "I'd rather not", "not sure", "I'm not sure", "can we skip this one?",
                                  "I don't want to talk about that"])
def test_decline_patterns_catch(lib: Library, text: str) -> None:
    assert any(re.search(p, text.lower()) for p in lib.session.decline_patterns), text


@pytest.mark.parametrize("text", ["I don't know why I always mess up", "I'm not sure I can do anything right",
                                  "it will pass eventually, I hope", "I was sure they hated me"])
def test_decline_patterns_leave_answers_alone(lib: Library, text: str) -> None:
    assert not any(re.search(p, text.lower()) for p in lib.session.decline_patterns), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("breathing please", "paced breathing"), ("the breathing one", "paced breathing"),
     ("let's do the first one", "paced breathing"), ("the senses one", "five senses"),
     ("5 4 3 2 1", "five senses"), ("five four three two one", "five senses"),
     ("I'll look around the room", "five senses"), ("the other one", "five senses")],
)
def test_grounding_choice(lib: Library, text: str, expected: str) -> None:
    step = next(s for s in lib.modalities["express"].steps if s.id == "grounding_choice")
    hits = {k for k, pats in step.choices.items() if any(re.search(p, text.lower()) for p in pats)}
    assert hits == {expected}, (text, hits)


def test_each_grounding_exercise_runs_only_when_chosen(lib: Library) -> None:
    """The engine runs a step only when its `when` slots match: one exercise per choice."""
    steps = {s.id: s for s in lib.modalities["express"].steps}
    keys = set(steps["grounding_choice"].choices)
    whens = {steps[sid].when["grounding"] for sid in ("breathing", "senses")}
    assert whens == keys
    assert all("four" in t and "six" in t for t in steps["breathing"].prompts)
    assert all("five" in t for t in steps["senses"].prompts)
