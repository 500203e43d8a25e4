"""The one-way data flow, checked on the source: no import cycle among songforge's modules (imports inside functions
count), and the planner never imports the trained ears, the models, evaluation or training."""
import ast
import os

from conftest import ROOT

PKG = os.path.join(ROOT, "songforge")


def _modules() -> dict[str, str]:
    out = {}
    for d, _, files in os.walk(PKG):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(d, f)
                rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                out[rel.removesuffix(".__init__")] = path
    return out


def _imports(name: str, path: str, known: set[str]) -> set[str]:
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    got = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        got |= {t for t in targets if t in known and t != name}
    return got


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, p, set(mods)) for m, p in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
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
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_planner_never_imports_the_ears_models_evaluation_or_training():
    graph = _graph()
    assert "songforge.plan.describe" in graph and graph["songforge.plan.plan"]  # the graph sees the planner
    bad = {(m, t) for m, ts in graph.items() if m.startswith("songforge.plan.") for t in ts
           if t.split(".")[1] in ("ears", "model", "eval", "train", "pipeline", "serve")}
    assert not bad, sorted(bad)


AUDIO_READERS = ("soundfile", "pyworld", "librosa", "soxr", "audioread", "fluidsynth")


def test_the_planner_never_listens():
    """The planner reads what the ears heard in a reference recording (spec.song.StyleProfile, VoiceProfile) and
    never opens audio itself: no module of songforge/plan imports an audio reader or analyser."""
    bad = []
    for d, _, files in os.walk(os.path.join(PKG, "plan")):
        for f in files:
            if f.endswith(".py"):
                tree = ast.parse(open(os.path.join(d, f), encoding="utf-8").read())
                for node in ast.walk(tree):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                        [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
                    bad += [(f, n) for n in names if n.split(".")[0] in AUDIO_READERS]
    assert not bad, bad
