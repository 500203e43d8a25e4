# Two commands for a newcomer: `make demo` (set up, then the main job) and `make test` (set up, then the tests).
PY ?= python3

.PHONY: setup demo test test-slow

setup:
	bash scripts/install.sh

demo: setup
	$(PY) -m songforge check examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json
	$(PY) -m songforge plot examples/two_songs_levo.jsonl -o out/
	$(PY) -m songforge plot examples/moonlit_jam_manifest.json -o out/

test: setup
	$(PY) -m pytest

test-slow: setup
	$(PY) -m pytest -m slow
