"""Generation speed of a model: real-time factor (seconds of song per second of compute) and peak memory, per
stage (plan + conditions, sampling, decoding), for batch sizes 1 and (on a GPU) 16.

    python benchmarks/generate.py --out benchmarks/results/generate_cpu.json            # this machine
    python benchmarks/generate.py --seconds 240 --repeats 1 --out benchmarks/results/generate_cpu_240s.json
    python benchmarks/generate.py --device cuda --batch 1 16 --out benchmarks/results/generate_gpu.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

from roundtrip import add_sampling_args, sampling_from, write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def song_of(seconds: float):
    """A data-engine whole song whose lyrics last as long as possible within `seconds`, the rest instrumental
    (shorter than every whole song: an excerpt of one)."""
    from dataclasses import replace

    from songforge.data.specs import fit_clip, random_spec
    from songforge.plan.timing import time_song
    best = None
    for i in range(64):
        spec = random_spec(2026, i, None, ("en",), full_song=True)
        d = time_song(spec).duration
        if d <= seconds and (best is None or d > best[0]):
            best = (d, spec)
    if best is None:
        best = (seconds, fit_clip(random_spec(2026, 0, None, ("en",), full_song=True), 0.8 * seconds, seconds))
    return replace(best[1], duration=seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "songforge", "models", "default"))
    ap.add_argument("--input", default=os.path.join(ROOT, "examples", "moonlit_jam_lyrics.json"))
    ap.add_argument("--seconds", type=float, help="instead of --input: a data-engine song (English, whole song "
                    "structure) lasting this long")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, nargs="+", default=[1])
    add_sampling_args(ap)
    ap.add_argument("--gl-iters", type=int, help="Griffin-Lim iterations of the mel codec (default: the model's)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--out", default="benchmarks/results/generate_cpu.json")
    a = ap.parse_args()
    import torch
    from dataclasses import replace

    from songforge.pipeline import load
    from songforge.render.song import _singers
    if a.threads:
        torch.set_num_threads(a.threads)
    model = load(a.model, a.device)
    sampling = sampling_from(a, model.sampling)
    if a.gl_iters:
        model.codec.cfg = replace(model.codec.cfg, gl_iters=a.gl_iters)
    t0 = time.perf_counter()
    plan = model.plan(song_of(a.seconds) if a.seconds else a.input)
    plan_s = time.perf_counter() - t0
    model.generate_batch([plan], 0, replace(sampling, steps=1))  # warm-up (allocations, kernels)
    rows = []
    for b in a.batch:
        if a.device.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
        best = None
        for r in range(a.repeats):
            if a.device.startswith("cuda"):
                torch.cuda.synchronize()
            _singers.clear()  # a vocal guide is rendered cold, as for a new song (the singer caches word analyses)
            t = time.perf_counter()
            model.generate_batch([plan] * b, r, sampling)
            if a.device.startswith("cuda"):
                torch.cuda.synchronize()
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
        audio_s = plan.duration * b
        row = {"batch": b, "seconds": round(best, 3), "audio_s": round(audio_s, 2),
               "realtime_factor": round(audio_s / best, 2)}
        if a.device.startswith("cuda"):
            row["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2 ** 20, 1)
        rows.append(row)
    # where the time goes, batch 1
    _singers.clear()
    t = time.perf_counter()
    g = model.generate_batch([plan], 0, sampling)[0]
    total = time.perf_counter() - t
    t = time.perf_counter()
    model._decode(plan, g.latents[None].to(model.device, model.dtype))
    decode_s = time.perf_counter() - t
    stages = {"plan_and_timing_s": round(plan_s, 3), "total_s": round(total, 3), "decode_s": round(decode_s, 3),
              "sampling_s": round(total - decode_s, 3)}
    guided = tuple(sampling.guides(plan))
    if guided:  # part of sampling_s: the data engine's rendering the guided stems start from
        from songforge.render import guide
        _singers.clear()
        t = time.perf_counter()
        if plan.duration <= guide.ISOLATE_S:  # rendered in this process
            guide.rendered_stems([plan], model.sample_rate, guided)
        else:  # in a child process of its own: its start-up counted, its memory its own
            stages["guide_child_peak_rss_mib"] = guide.render_isolated(plan, model.sample_rate, guided)[1]
        stages["guide_render_s"] = round(time.perf_counter() - t, 3)
    n_params = {name: sum(p.numel() for p in m.parameters()) for name, m in (("codec", model.codec), ("dit", model.dit))}
    result = {"model": os.path.relpath(a.model, ROOT), "input": f"{a.seconds:g} s data-engine song" if a.seconds
              else os.path.relpath(a.input, ROOT), "device": a.device,
              "device_name": torch.cuda.get_device_name() if a.device.startswith("cuda") else platform.processor() or "cpu",
              "cpu_threads": torch.get_num_threads(), "song_s": round(plan.duration, 2), "sampling": sampling.__dict__,
              "gl_iters": getattr(model.codec.cfg, "gl_iters", None),
              "params": n_params, "rows": rows, "stages_batch1": stages,
              "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    lines = [f"{result['device_name']} ({a.device}, {result['cpu_threads']} threads), {plan.duration:.1f} s song, "
             f"{sampling.steps} {sampling.sampler} steps, guidance {sampling.guidance}, "
             f"{result['gl_iters']} Griffin-Lim iterations"
             + (f", vocals from the rendering at t0 = {sampling.vocal_guide:g}" if sampling.vocal_guide > 0 else ""),
             "", "| batch | seconds | audio s | real-time factor |" + (" peak GPU MiB |" if a.device != "cpu" else ""),
             "|---|---|---|---|" + ("---|" if a.device != "cpu" else "")]
    for r in rows:
        lines.append(f"| {r['batch']} | {r['seconds']} | {r['audio_s']} | {r['realtime_factor']}x |"
                     + (f" {r['peak_gpu_mib']} |" if "peak_gpu_mib" in r else ""))
    lines.append(f"\nstages (batch 1): {stages}; peak RSS {result['peak_rss_mib']} MiB")
    md = "\n".join(lines) + "\n"
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
