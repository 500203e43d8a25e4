"""`songforge serve` as a real process on loopback: 50 concurrent clients (bounded in count and time), and a
server killed with SIGKILL in the middle of a job, then restarted. The load numbers are written to
$SONGFORGE_ARTIFACTS/serve_load.json (default: test-artifacts/)."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from conftest import EXAMPLES, ROOT, serve_process  # noqa: E402

SHORT_LRC = "[00:00.50]sail on home\n[00:02.00]into the light\n"
CLIENTS = 50


def _wait_all(client, ids, timeout):
    t0, left, jobs = time.time(), set(ids), {}
    while left and time.time() - t0 < timeout:
        for jid in list(left):
            job = client.get(f"/v1/jobs/{jid}").json()
            if job["status"] in ("done", "failed"):
                jobs[jid] = job
                left.discard(jid)
        time.sleep(0.5)
    assert not left, f"{len(left)} accepted job(s) not finished after {timeout} s"
    return jobs


def test_fifty_concurrent_clients(tmp_path):
    queue = 4
    with serve_process(tmp_path, "--no-ui", "--workers", "1", "--queue", str(queue)) as (url, _):
        latencies, codes, accepted, lock = [], [], [], threading.Lock()
        start = threading.Barrier(CLIENTS)

        def client_run(i):
            with httpx.Client(base_url=url, timeout=120) as c:
                start.wait()
                t0 = time.perf_counter()
                r = c.post("/v1/check", json={"text": SHORT_LRC})
                dt = time.perf_counter() - t0
                j = c.post("/v1/jobs", json={"text": SHORT_LRC, "mode": "render", "settings": {"seed": i}})
                with lock:
                    latencies.append(dt)
                    codes.append(("check", r.status_code))
                    codes.append(("job", j.status_code))
                    if j.status_code == 202:
                        accepted.append(j.json()["id"])
                    else:
                        assert "queue is full" in j.json()["detail"]

        threads = [threading.Thread(target=client_run, args=(i,)) for i in range(CLIENTS)]
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        burst_s = time.time() - t0
        assert len(latencies) == CLIENTS
        assert all(code < 500 for _, code in codes), codes
        assert all(code == 200 for kind, code in codes if kind == "check")
        assert all(code in (202, 429) for kind, code in codes if kind == "job")
        assert len(accepted) >= queue  # refused only once the queue was full
        with httpx.Client(base_url=url, timeout=30) as c:
            jobs = _wait_all(c, accepted, 600)
            assert all(j["status"] == "done" for j in jobs.values()), [j["error"] for j in jobs.values()]
            assert c.get("/v1/health").json()["jobs"]["queued"] == 0
    lat = sorted(latencies)
    result = {"clients": CLIENTS, "queue": queue, "workers": 1, "accepted": len(accepted),
              "refused_429": sum(1 for k, c in codes if k == "job" and c == 429), "server_errors": 0,
              "check_p50_s": round(lat[len(lat) // 2], 3), "check_p95_s": round(lat[int(0.95 * (len(lat) - 1))], 3),
              "burst_s": round(burst_s, 2), "cpu_count": os.cpu_count()}
    out = os.environ.get("SONGFORGE_ARTIFACTS", os.path.join(ROOT, "test-artifacts"))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "serve_load.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


def _children_of(pid):
    out = subprocess.run(["ps", "-o", "pid=,ppid=,args=", "-e"], capture_output=True, text=True).stdout
    return [ln for ln in out.splitlines() if "songforge generate" in ln and f" {pid} " in f" {ln.split(None, 2)[1]} "]


def test_sigkill_during_a_job_loses_and_duplicates_nothing(tmp_path, tiny_model):
    with open(os.path.join(EXAMPLES, "two_songs_levo.jsonl"), encoding="utf-8") as f:
        text = f.read()
    data = tmp_path / "data"
    args = ("--no-ui", "--model", tiny_model)
    with serve_process(tmp_path, *args, data=data) as (url, proc):
        with httpx.Client(base_url=url, timeout=30) as c:
            jid = c.post("/v1/jobs", json={"text": text, "settings": {"steps": 40}}).json()["id"]
            t0 = time.time()
            while c.get(f"/v1/jobs/{jid}").json()["status"] != "running":
                assert time.time() - t0 < 60
                time.sleep(0.1)
            time.sleep(1.0)  # inside the job's child process
            child = _children_of(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    assert child, "the job's child process was not found"
    time.sleep(1.5)
    orphans = [ln for ln in subprocess.run(["ps", "-e", "-o", "args="], capture_output=True, text=True).stdout.splitlines()
               if "songforge generate" in ln and str(data) in ln]
    assert not orphans, f"the job's child outlived the server: {orphans}"
    out = data / "jobs" / jid / "out"
    visible = [d for d in os.listdir(out) if not d.startswith(".")] if out.exists() else []
    for d in visible:  # whatever a client could see is complete
        assert (out / d / "labels.json").exists() and (out / d / "mix.flac").exists()
    with serve_process(tmp_path, *args, data=data) as (url, _):
        with httpx.Client(base_url=url, timeout=30) as c:
            job = _wait_all(c, [jid], 300)[jid]
            assert job["status"] == "done" and job["attempts"] == 2, job
            listed = [j["id"] for j in c.get("/v1/jobs").json()["jobs"]]
            assert listed.count(jid) == 1 and len(listed) == 1
            import io

            import soundfile as sf
            for song in job["songs"]:
                assert {"mix.flac", "labels.json"} <= set(song["files"])
                audio = c.get(f"/v1/jobs/{jid}/songs/{song['index']}/mix.flac")
                x, sr = sf.read(io.BytesIO(audio.content))
                assert sr == 44100 and x.shape[1] == 2 and len(x) > sr  # the release: 44.1 kHz stereo
    assert not [d for d in os.listdir(out) if d.startswith(".")]  # no partial folder left behind
