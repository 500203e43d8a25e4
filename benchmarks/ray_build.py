"""What Ray costs the data engine: the same corpus built by the local process pool (2 workers) and by a two-node Ray
cluster on this machine's loopback (one CPU per node, data/ray_build.loopback_cluster), in audio-hours per CPU-hour
of everything each build ran (the local pool: the driver and its forked renderers; Ray: the driver and every
process of the cluster, GCS, raylets, agents and workers, from /proc), with wall time; and whether the two corpora
are the same bytes.

    python benchmarks/ray_build.py --hours 0.1 --out benchmarks/results/ray_build.json"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time

from roundtrip import write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pids: set[int]) -> float:
    """utime + stime + reaped children's, seconds, over `pids` (those still alive)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])
        except (OSError, ValueError):
            continue
    return total / TICK


def _self_cpu() -> float:
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _digest(root: str) -> str:
    h = hashlib.sha256()
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            h.update(os.path.relpath(os.path.join(d, f), root).encode())
            with open(os.path.join(d, f), "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def main() -> None:
    from songforge.data.build import BuildConfig, build
    from songforge.data.ray_build import cluster_processes, cluster_dir, loopback_cluster
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out")
    a = ap.parse_args()
    cfg = BuildConfig(seed=a.seed, hours=a.hours)
    work = tempfile.mkdtemp(prefix="sf_raybench_")
    rows = {}
    try:
        c0, t0 = _self_cpu(), time.time()
        s = build(os.path.join(work, "local"), cfg, 2, progress=False)
        rows["local pool, 2 workers"] = {"wall_s": time.time() - t0, "cpu_s": _self_cpu() - c0, "summary": s}
        with loopback_cluster(nodes=2, cpus=1) as address:
            tag = cluster_dir()
            c0, r0, t0 = _self_cpu(), _proc_cpu(cluster_processes(tag)), time.time()
            s = build(os.path.join(work, "ray"), cfg, 1, progress=False, ray=address)
            wall = time.time() - t0
            cluster_cpu = _proc_cpu(cluster_processes(tag)) - r0
            rows["Ray, 2 nodes x 1 CPU (loopback)"] = {"wall_s": wall, "cpu_s": _self_cpu() - c0 + cluster_cpu,
                                                      "summary": s}
        same = _digest(os.path.join(work, "local")) == _digest(os.path.join(work, "ray"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    audio_h = rows["local pool, 2 workers"]["summary"]["hours"]
    for r in rows.values():
        r["audio_h_per_cpu_h"] = round(audio_h / (r["cpu_s"] / 3600), 2)
        r["wall_s"], r["cpu_s"] = round(r["wall_s"], 1), round(r["cpu_s"], 1)
    result = {"hours": audio_h, "clips": rows["local pool, 2 workers"]["summary"]["clips"], "same_bytes": same,
              "builds": rows}
    lines = [f"The same corpus ({result['clips']} clips, {audio_h} h, seed {a.seed}) built twice on this 2-core "
             f"machine; identical bytes: {same}.", "",
             "| engine | wall s | CPU s (all processes) | audio-h per CPU-h | clips per node |", "|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['wall_s']} | {r['cpu_s']} | {r['audio_h_per_cpu_h']} | "
                     f"{sorted(r['summary']['clips_per_node'].values(), reverse=True)} |")
    print("\n".join(lines))
    if a.out:
        write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
