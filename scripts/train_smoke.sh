#!/usr/bin/env bash
# A researcher's first training run, start to finish (`make train-smoke`): build a small corpus with the data engine,
# train a small DiT on the shipped mel representation, assemble a model folder, generate the examples with it and
# score them with `songforge eval`. About 7 minutes on 2 CPU cores. SMOKE (default runs/smoke) is where it all goes;
# the corpus is kept and reused, the run, the model and the songs are made fresh each time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
SMOKE=${SMOKE:-runs/smoke}
HOURS=${HOURS:-0.5}
STEPS=${STEPS:-3000}
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 MPLBACKEND=Agg
t_start=$(date +%s)
stage() { echo; echo "[train-smoke] $(date +%H:%M:%S) (+$(( $(date +%s) - t_start )) s) $*"; }

stage "1/5 corpus: $HOURS h of rendered clips -> $SMOKE/corpus"
$PY -m songforge data build --out "$SMOKE/corpus" --hours "$HOURS" --workers 2 --seed 7 | tail -n 1

stage "2/5 train: configs/dit_mel_small.json, $STEPS steps -> $SMOKE/dit"
rm -rf "$SMOKE/dit" "$SMOKE/model" "$SMOKE/songs" "$SMOKE/eval"
$PY -m songforge train dit --config configs/dit_mel_small.json --codec configs/codec_mel --data "$SMOKE/corpus" \
    --out "$SMOKE/dit" --steps "$STEPS"

stage "3/5 assemble the model folder -> $SMOKE/model"
$PY -m songforge model assemble --codec configs/codec_mel --dit "$SMOKE/dit" --out "$SMOKE/model" --vocal-guide 0.9

stage "4/5 generate the examples with it (vocals from the rendering at t0 0.9, as the shipped model) -> $SMOKE/songs"
$PY -m songforge generate examples/two_songs_levo.jsonl examples/moonlit_jam_manifest.json --model "$SMOKE/model" \
    -o "$SMOKE/songs" | tail -n 1

stage "5/5 score them -> $SMOKE/eval/report.md"
$PY -m songforge eval --songs "$SMOKE/songs" --report "$SMOKE/eval" --no-pictures > "$SMOKE/eval.log" || true
test -f "$SMOKE/eval/report.md"
tail -n 1 "$SMOKE/eval.log"

stage "done in $(( $(date +%s) - t_start )) s: corpus $SMOKE/corpus, run $SMOKE/dit (log.jsonl, final/), model $SMOKE/model, songs $SMOKE/songs, report $SMOKE/eval/report.md"
