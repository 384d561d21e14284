"""The house rules, read from the code itself: rooms import only downwards, no import circles,
defaults only in the settings object, private dependency internals only in voice/internals.py."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOMS = {"dialogue": "dialogue", "protocols": "protocols", "voice": "voice", "web": "web",
         "audio_assets": "audio_assets"}

# room -> rooms it may import (besides itself); the most specific prefix wins
ALLOWED = {
    "attune.protocols": set(),
    "attune.audio_assets": set(),
    "attune.voice": set(),  # the package itself: its rooms are listed below
    "attune.dialogue": {"attune.protocols"},
    "attune.voice.audio": set(),
    "attune.voice.internals": set(),
    "attune.voice.speech": {"attune.dialogue", "attune.voice.audio", "attune.voice.internals"},
    "attune.voice.loop": {"attune.dialogue", "attune.audio_assets", "attune.voice.audio", "attune.voice.internals",
                          "attune.voice.speech"},
    "attune.voice.doors": {"attune.dialogue", "attune.protocols", "attune.voice.audio", "attune.voice.internals",
                           "attune.voice.speech", "attune.voice.loop"},
    "attune.web": {"attune.dialogue", "attune.protocols", "attune.voice.audio", "attune.voice.internals",
                   "attune.voice.speech", "attune.voice.loop"},
    "attune.voice.bench": {"attune.dialogue", "attune.protocols", "attune.voice.audio", "attune.voice.internals",
                           "attune.voice.speech", "attune.voice.loop", "attune.voice.doors", "attune.web"},
    "attune.voice.cli": {"attune.dialogue", "attune.protocols", "attune.voice", "attune.web"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for room, folder in ROOMS.items():
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join(["attune", room, *parts])] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Attune modules ``name`` imports, at any depth of the file (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = name.split(".")[: -node.level] if not path.name == "__init__.py" else name.split(".")[: len(name.split(".")) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names]
            mods = [m for m in subs if m in known] or [base]
        else:
            continue
        for m in mods:
            if m in known:
                found.add(m)
    found.discard(name)
    return found


def _room(module: str) -> str:
    return max((r for r in ALLOWED if module == r or module.startswith(r + ".")), key=len)


def test_every_module_belongs_to_a_room_and_imports_only_downwards():
    mods = _modules()
    wrong = []
    for name, path in mods.items():
        room = _room(name)
        for dep in _imports(name, path, set(mods)):
            dep_room = _room(dep)
            if dep_room != room and not any(dep_room == a or dep_room.startswith(a + ".") for a in ALLOWED[room]):
                wrong.append(f"{name} -> {dep}")
    assert not wrong, "imports against the room rules:\n" + "\n".join(sorted(wrong))


def test_no_import_circles():
    mods = _modules()
    graph = {n: _imports(n, p, set(mods)) for n, p in mods.items()}
    # a package's __init__ importing its own children is not a circle
    graph = {n: {d for d in deps if not d.startswith(n + ".")} for n, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import circles: {cycles}"


def _source_files():
    for folder in ROOMS.values():
        yield from (ROOT / folder).rglob("*.py")


def test_settings_defaults_live_only_in_the_settings_object():
    pattern = re.compile(r"getattr\(\s*(self\.)?settings\s*,\s*[\"'][a-z_]+[\"']\s*,")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in _source_files()
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits, f"settings defaults restated outside dialogue/settings.py: {hits}"


PRIVATE = re.compile(r"\._activity\b|_audio_recognition|_stt_pipeline|_SpeechHandleContextVar|_RTCRtpReceiver__"
                     r"|\baiortc\.rtp\b|\b_default_executor\b|_allocated_rtp_port|\._send_error\b")
REGEX_PARSER = re.compile(r"\b_parser\b|\bsre_parse\b|\bsre_constants\b|\b_constants as\b")


def test_private_dependency_internals_only_in_the_seam_module():
    seam = ROOT / "voice" / "internals.py"
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in _source_files() if p != seam
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if PRIVATE.search(line)]
    assert not hits, "private internals reached outside voice/internals.py:\n" + "\n".join(hits)


def test_the_brains_one_stdlib_reach_stays_in_the_safety_screen_and_still_works():
    """The safety screen derives prefilter literals from its rules with Python's regex parser (``re._parser``);
    the brain may not import ``voice/internals.py``, so this one stays in ``dialogue/safety.py`` and is checked here."""
    hits = {p.relative_to(ROOT).as_posix() for p in _source_files() if REGEX_PARSER.search(p.read_text(encoding="utf-8"))}
    assert hits <= {"dialogue/safety.py"}, hits
    from attune.dialogue import safety

    gated = sum(rule.gate is not None for rule in safety._RULES)
    assert gated > len(safety._RULES) // 2, f"the regex parser moved: only {gated} rules have a prefilter"


def test_the_seam_still_resolves_in_the_installed_versions():
    from attune.voice import internals

    assert internals.missing() == [], f"private APIs moved (see voice/internals.py): {internals.missing()}"


def test_every_import_uses_the_one_attune_package():
    """``import dialogue`` would load a second copy of a module beside ``attune.dialogue`` (two states)."""
    bare = re.compile(r"^\s*(?:from|import) (?:dialogue|voice|web|protocols|audio_assets)\b", re.M)
    files = list(_source_files()) + list((ROOT / "tests").rglob("*.py"))
    hits = [str(p.relative_to(ROOT)) for p in files if bare.search(p.read_text(encoding="utf-8"))]
    assert not hits, f"bare room imports (use attune.<room>): {hits}"


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Try, ast.If)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
                elif isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
                    names.add(sub.name)
    return names


def test_every_name_imported_from_attune_exists():
    """Lazy imports inside functions fail only when that path runs (a bench, a rare error path): check them all."""
    mods = _modules()
    files = {p: None for p in _source_files()} | {p: None for p in (ROOT / "tests").rglob("*.py")}
    missing = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("attune."):
                continue
            target = mods.get(node.module)
            if target is None:
                missing.append(f"{path.relative_to(ROOT)}: no module {node.module}")
                continue
            names = _top_level_names(target)
            for a in node.names:
                if a.name != "*" and a.name not in names and f"{node.module}.{a.name}" not in mods:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module} has no {a.name}")
    assert not missing, "\n".join(missing)
