# Two commands for a newcomer: `make demo` (set up, then the main job) and `make test` (set up, then the tests).
PY ?= python3

.PHONY: setup demo test test-slow bench-data

setup:
	bash scripts/install.sh

demo: setup
	$(PY) -m songforge check examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json
	$(PY) -m songforge render examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json -o out/demo

test: setup
	$(PY) -m pytest

test-slow: setup
	$(PY) -m pytest -m slow

bench-data: setup
	$(PY) benchmarks/data_engine.py --hours 1.0 --workers 2 --exactness --out benchmarks/results/data_engine.json
