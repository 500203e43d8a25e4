# Two commands for a newcomer: `make demo` (set up, then the main job) and `make test` (set up, then the tests).
PY ?= python3

.PHONY: setup demo test test-slow train-smoke bench-data bench-generate bench-heldout bench-ceiling bench-edits bench-sampling bench-words bench-judge bench-tagger bench-voice bench-voice-ab bench-evalval bench-style serve

setup:
	bash scripts/install.sh

demo: setup
	$(PY) -m songforge check examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json
	$(PY) -m songforge generate examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json -o out/demo

test: setup
	$(PY) -m pytest

test-slow: setup
	$(PY) -m pytest -m slow

# a first training run, start to finish, in about 10 minutes on 2 cores (scripts/train_smoke.sh; SMOKE=runs/smoke)
train-smoke: setup
	bash scripts/train_smoke.sh

bench-data: setup
	$(PY) benchmarks/data_engine.py --hours 1.0 --workers 2 --exactness --intelligibility \
		--figure benchmarks/results/voice_engines.png --out benchmarks/results/data_engine.json | tee benchmarks/results/data_engine.md

bench-generate: setup
	$(PY) benchmarks/generate.py --seconds 30 --out benchmarks/results/generate_cpu.json
	$(PY) benchmarks/generate.py --seconds 240 --repeats 1 --out benchmarks/results/generate_cpu_240s.json

# needs a corpus: songforge data build --out CORPUS --hours 3 --seed 1234 --workers 2
bench-heldout: setup
	$(PY) benchmarks/heldout.py --model songforge/models/default --corpus $(CORPUS) --clips 24 --out benchmarks/results/heldout.json

# the representation's ceiling on held-out clips (same corpus as bench-heldout)
bench-ceiling: setup
	$(PY) benchmarks/codec_ceiling.py --corpus $(CORPUS) --clips 12 --reps shipped,mel128-gl16-zero,mel128-gl32 --out benchmarks/results/codec_ceiling.json

# edits scored on held-out rendered songs (same corpus as bench-heldout)
bench-edits: setup
	$(PY) benchmarks/edits.py --model songforge/models/default --corpus $(CORPUS) --songs 8 --out benchmarks/results/edits.json

# sampling settings (steps, guidance, Griffin-Lim iterations) on a few held-out clips
bench-sampling: setup
	$(PY) benchmarks/sampling_sweep.py --model songforge/models/default --corpus $(CORPUS) --clips 4 --out benchmarks/results/sampling_sweep.json

# where the generator loses the words: judge PER when sampling starts from the clip's own latents part-way
bench-words: setup
	$(PY) benchmarks/words_lost.py --model songforge/models/default --corpus $(CORPUS) --clips 4 --out benchmarks/results/words_lost.json

# the phoneme judge on held-out renders (own / shuffled / another clip's words); GENERATED: optional song folders
bench-judge: setup
	$(PY) benchmarks/judge.py --corpus $(CORPUS) --clips 24 $(if $(GENERATED),--generated $(GENERATED)) --out benchmarks/results/judge.json

# the style tagger on held-out renders (same corpus as bench-heldout)
bench-tagger: setup
	$(PY) benchmarks/tagger.py --corpus $(CORPUS) --out benchmarks/results/tagger.json

bench-style: setup
	$(PY) benchmarks/style_text.py --out benchmarks/results/style_text.json
	$(PY) benchmarks/style_text.py --cases benchmarks/data/style_text_fresh.jsonl --out benchmarks/results/style_text_fresh.json
	$(PY) benchmarks/style_follow.py --corpus $(CORPUS) --refs 24 --model songforge/models/default --out benchmarks/results/style_follow.json

# voice follow: held-out vocal stems as voice references, sung by the data engine and the default model
bench-voice: setup
	$(PY) benchmarks/voice_follow.py --corpus $(CORPUS) --refs 12 --model songforge/models/default --out benchmarks/results/voice_follow.json

# the neural voice's render settings judged fairly (builds its own corpora under WORK; ~45 min on 2 cores)
bench-voice-ab: setup
	$(PY) benchmarks/neural_voice_ab.py --spoken-max 12,40,80 --work $(or $(WORK),out/voice_ab) --out benchmarks/results/neural_voice_ab.json

# metric validation: every metric against the corruption meant for it (builds its own clips)
bench-evalval: setup
	$(PY) benchmarks/eval_validation.py --hours 0.15 --workers 2 --no-asr --conditions "oracle,words swapped,words replaced,vocals +1 semitone,backing transposed +2,tempo stretched 5%,style mislabelled,noise at 10 dB SNR" --out benchmarks/results/eval_validation_v7_lm.json

# web UI at http://127.0.0.1:7860/ and REST API under /v1/
serve: setup
	$(PY) -m songforge serve
