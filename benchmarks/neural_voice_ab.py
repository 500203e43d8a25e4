"""How intelligible the neural voice's renders are, per render setting: for each value of neural.SPOKEN_MAX (the
longest a phoneme is spoken by the Piper voice before voice.py stretches it to its planned length), an English
corpus sung by the neural voice only, from one seed (the same plans in every arm); the phoneme judge fine-tuned
from one checkpoint on that arm's training clips (the same steps and batches); then its PER on that arm's
held-out clips (benchmarks/judge.py), beside the starting judge's PER on them. A setting whose renders a judge
learns to hear better says more of its phonemes. Corpora and runs are kept in --work and reused on a re-run.
--noise-scale: arms also per value of piper.NOISE_SCALE (the VITS prior's noise, 0.667 in Piper's voices; the sung F0
replaces the voice's own, so the noise mostly varies the spectral envelope).
--voicing: arms also per value of voice.NEURAL_VOICING (where the sung voice is voiced: "phoneme", each planned
phoneme's own voicing, or "source", DIO on the spoken audio).
--unsung: the arms' vocals are the voice's spoken phrases placed at the planned phoneme times as spoken (no WORLD,
no sung F0; use a large --spoken-max so nothing is stretched): how much is lost before the singing transform.

    python benchmarks/neural_voice_ab.py --spoken-max 12,40 --hours 2 --init songforge/models/judge \
        --work /tmp/voice_ab --out benchmarks/results/neural_voice_ab.json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from roundtrip import write_results

HERE = os.path.dirname(os.path.abspath(__file__))


def judge_per(corpus: str, judge: str, out: str) -> dict:
    """benchmarks/judge.py on the corpus's held-out clips (test, then valid): its JSON."""
    if not os.path.exists(out):
        subprocess.run([sys.executable, os.path.join(HERE, "judge.py"), "--corpus", corpus, "--clips", "1000",
                        "--judge", judge, "--out", out], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)


def sing_as_spoken(singer, plan):
    """The neural voice's phrases as spoken, each phoneme's spoken span resampled onto its planned span (a
    phoneme spoken for fewer frames than planned is slowed down, pitch and all); float32 at singer.sr."""
    import numpy as np
    import soxr

    from songforge.render.neural import speak_phrase
    t, sr = plan.timing, singer.sr
    y = np.zeros(int(round(plan.duration * sr)))
    for unit in singer.units(plan):
        if unit.engine != "neural":
            raise ValueError("--unsung renders English phrases of the neural voice only")
        sp = speak_phrase(plan, unit.phonemes)
        x = soxr.resample(sp.audio.astype(np.float64), sp.sample_rate, sr)
        for i, (sa, sb) in zip(unit.phonemes, sp.spans):
            ta, tb = int(round(t.phonemes[i].start * sr)), min(int(round(t.phonemes[i].end * sr)), len(y))
            if tb > ta:
                y[ta:tb] = np.interp(np.linspace(sa * sr, sb * sr, tb - ta, endpoint=False), np.arange(len(x)), x)
    return y.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spoken-max", default="12,40", help="comma-separated SPOKEN_MAX values (frames of 11.6 ms)")
    ap.add_argument("--noise-scale", default=None,
                    help="comma-separated piper.NOISE_SCALE values (default: as shipped)")
    ap.add_argument("--voicing", default=None, help="comma-separated voice.NEURAL_VOICING values (default: as shipped)")
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=7000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--init", default="songforge/models/judge", help="the judge every arm is fine-tuned from")
    ap.add_argument("--config", default="configs/judge_voice_ab.json")
    ap.add_argument("--unsung", action="store_true", help="vocals as spoken: no singing transform (see above)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", default="benchmarks/results/neural_voice_ab.json")
    a = ap.parse_args()
    from songforge.data.build import BuildConfig, build
    from songforge.render import neural, piper, voice
    if a.unsung:  # the build's workers are forked from this process and inherit it
        voice.Singer.sing = sing_as_spoken
    from songforge.train.run import train
    rows = []
    noises = [float(x) for x in a.noise_scale.split(",")] if a.noise_scale else [piper.NOISE_SCALE]
    voicings = a.voicing.split(",") if a.voicing else [voice.NEURAL_VOICING]
    for sm, ns, vc in ((int(x), n, v) for x in a.spoken_max.split(",") for n in noises for v in voicings):
        arm = (f"spoken{sm}" + (f"_noise{ns:g}" if a.noise_scale else "") + (f"_voicing{vc}" if a.voicing else "")
               + ("_unsung" if a.unsung else ""))
        corpus, run = os.path.join(a.work, arm), os.path.join(a.work, f"judge_{arm}")
        neural.SPOKEN_MAX = sm  # the build's workers are forked from this process and inherit it
        piper.NOISE_SCALE = ns
        voice.NEURAL_VOICING = vc
        t0 = time.time()
        built = build(corpus, BuildConfig(seed=a.seed, hours=a.hours, languages=("en",), neural_share=1.0),
                      a.workers, progress=False)
        build_s = time.time() - t0
        if not os.path.exists(os.path.join(run, "final", "config.json")):
            train("judge", a.config, [corpus], run, init=a.init, progress=False)
        tuned = judge_per(corpus, os.path.join(run, "final"), os.path.join(a.work, f"per_{arm}_tuned.json"))
        start = judge_per(corpus, a.init, os.path.join(a.work, f"per_{arm}_init.json"))
        rows.append({"spoken_max": sm, "noise_scale": ns, "voicing": vc, "clips_held_out": tuned["clips"],
                     "per_tuned": tuned["per"]["oracle"]["en"],
                     "per_init": start["per"]["oracle"]["en"],
                     "per_words_replaced_tuned": tuned["per"]["words_replaced"]["en"],
                     "render_cpu_s_per_audio_h": round(built["cpu_s"] / (built["audio_s_rendered"] / 3600), 1)
                     if built.get("audio_s_rendered") else None, "build_s": round(build_s, 1)})
    result = {"seed": a.seed, "hours": a.hours, "init": a.init, "config": a.config, "unsung": a.unsung, "arms": rows}
    lines = ["| SPOKEN_MAX (frames) | noise scale | voicing | held-out clips | PER, judge fine-tuned on the arm | "
             "PER, starting judge | PER vs another clip's words (tuned) | render CPU s per audio hour |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['spoken_max']} | {r['noise_scale']:g} | {r['voicing']} | {r['clips_held_out']} | "
                     f"{r['per_tuned']} | "
                     f"{r['per_init']} | {r['per_words_replaced_tuned']} | {r['render_cpu_s_per_audio_h'] or '-'} |")
    how = "spoken (no singing transform)" if a.unsung else "sung"
    md = (f"English corpora {how} by the neural voice only ({a.hours} h each, seed {a.seed}); the judge fine-tuned "
          f"from {a.init} with {a.config} on each arm\n\n" + "\n".join(lines) + "\n")
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
