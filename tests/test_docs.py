"""The documents a user reads stay true to the repository: every benchmark result they cite exists, every result
file is cited by some document (superseded runs live in git history), every relative link resolves, and the README
stays a user's first hour (at most 400 lines)."""
import fnmatch
import glob
import os
import re

from conftest import ROOT

RESULTS = os.path.join(ROOT, "benchmarks", "results")
DOCS = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def _text() -> str:
    return "\n".join(open(p, encoding="utf-8").read() for p in DOCS)


def _expand(token: str) -> list[str]:
    m = re.match(r"(.*?)\{([A-Za-z0-9_,]+)\}(.*)$", token)
    return [m.group(1) + e + m.group(3) for e in m.group(2).split(",")] if m else [token]


def _cited_patterns(text: str) -> list[str]:
    tokens = re.findall(r"[A-Za-z0-9_.*{},\-]+\.(?:md|json|png|\*|\{[a-z,]+\})", text)
    return [p for t in tokens for p in _expand(t)]


def test_every_cited_result_exists():
    named = [p for t in re.findall(r"results/([A-Za-z0-9_.{},\-]+\.(?:md|json|png|\{[a-z,]+\}))", _text())
             for p in _expand(t)]
    assert named  # the documents do cite results
    missing = sorted({p for p in named if not os.path.exists(os.path.join(RESULTS, p))})
    assert not missing, missing


def test_every_result_file_is_cited():
    pats = _cited_patterns(_text())

    def cited(f):
        stem = os.path.splitext(f)[0]  # x.json beside a cited x.md is the same run
        return any(fnmatch.fnmatch(f, p) or fnmatch.fnmatch(stem, os.path.splitext(p)[0]) for p in pats)
    uncited = [f for f in sorted(os.listdir(RESULTS)) if not cited(f)]
    assert not uncited, uncited


def test_relative_links_resolve():
    bad = []
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", open(path, encoding="utf-8").read()):
            if "://" in target:
                continue
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target))):
                bad.append(f"{os.path.relpath(path, ROOT)} -> {target}")
    assert not bad, bad


def test_the_readme_is_short():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert len(f.read().splitlines()) <= 400
