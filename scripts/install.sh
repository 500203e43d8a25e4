#!/usr/bin/env bash
# Set up a bare Debian machine for songforge: system packages, CPU torch first, then the package.
# Idempotent: re-running skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}

pip_install() {  # quiet pip; on failure show everything and stop
  local log; log=$(mktemp)
  if ! $PY -m pip install -q "$@" >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
  grep -vE "^WARNING: (Location|Running pip as)" "$log" || true
  rm -f "$log"
}
APT_PKGS="espeak-ng libespeak-ng1 fluidsynth fluid-soundfont-gm avldrums.lv2-soundfont sox libsndfile1 ffmpeg fonts-wqy-microhei chromium"

missing=""
for p in $APT_PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "[install] apt packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# torch first: with no torch present, anything depending on it would pull the CUDA build.
if ! $PY -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "[install] torch==2.13.0 (CPU)"
  pip_install torch==2.13.0
fi

echo "[install] songforge and its extras"
pip_install -e ".[all,dev]"
# note transcription for `songforge eval`: basic-pitch's metadata pins tensorflow on Linux, but its ONNX model runs
# under onnxruntime; its real needs (librosa, mir_eval, pretty_midi, resampy, scikit-learn) come with the extras above
pip_install --no-deps basic-pitch==0.4.0
$PY -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
echo "[install] done"
