"""songforge serve: every REST route, limit and error path (FastAPI TestClient), the job store across restarts."""
import io
import json
import os
import threading
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from songforge.serve.app import create_app  # noqa: E402
from songforge.serve.config import ServerConfig  # noqa: E402
from songforge.serve.store import MAX_ATTEMPTS, JobStore  # noqa: E402

from conftest import EXAMPLES  # noqa: E402

SHORT_LRC = "[00:00.50]sail on home\n[00:02.00]into the light\n"


def _text(name):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return f.read()


def _wait(client, jid, timeout=180):
    t0 = time.time()
    while time.time() - t0 < timeout:
        job = client.get(f"/v1/jobs/{jid}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {jid} still {job['status']} after {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model):
    cfg = ServerConfig(str(tmp_path_factory.mktemp("serve")), tiny_model, workers=1, max_queued=4, max_duration=60,
                       max_body=200_000, max_upload=2_000_000, job_time_limit=300)
    with TestClient(create_app(cfg, ui=False)) as client:  # `with`: lifespan runs, workers start
        yield client, cfg


def test_health_and_openapi(server):
    client, _ = server
    h = client.get("/v1/health").json()
    assert h["status"] == "ok" and h["workers"] == 1 and set(h["jobs"]) == {"queued", "running", "done", "failed"}
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/v1/health", "/v1/check", "/v1/jobs", "/v1/jobs/{jid}", "/v1/jobs/{jid}/songs/{song}/{name}"):
        assert p in paths, p
    assert "multipart/form-data" in paths["/v1/jobs"]["post"]["requestBody"]["content"]


def test_check_reports_songs_and_one_line_problems(server):
    client, _ = server
    r = client.post("/v1/check", json={"text": _text("two_songs_levo.jsonl")}).json()
    assert r["ok"] and len(r["songs"]) == 2 and r["songs"][0]["words"][0]["start"] >= 0
    r = client.post("/v1/check", json={"text": SHORT_LRC, "format": "lrc"}).json()
    assert r["ok"] and [w["word"] for w in r["songs"][0]["words"]][:3] == ["sail", "on", "home"]
    bad = '{"id": "x", "duration": -3, "sections": [{"tag": "verse", "lines": ["la la"]}]}'
    r = client.post("/v1/check", json={"text": bad}).json()
    assert not r["ok"] and any(p.startswith("input.json: ") and "duration" in p for p in r["problems"]), r
    assert all("/" not in p.split(":")[0] for p in r["problems"])  # never a server path
    long = '{"id": "long", "duration": 100, "sections": [{"tag": "verse", "lines": ["la la"]}]}'
    r = client.post("/v1/check", json={"text": long}).json()
    assert not r["ok"] and "longer than this server's limit of 60 s" in r["problems"][0]
    assert client.post("/v1/check", json={"text": "x", "format": "midi"}).status_code == 422
    assert client.post("/v1/check", content=b"not json", headers={"content-type": "application/json"}).status_code == 422


def test_generate_job_end_to_end_and_files(server):
    client, _ = server
    r = client.post("/v1/jobs", json={"text": SHORT_LRC, "settings": {"seed": 1, "steps": 2}})
    assert r.status_code == 202, r.text
    jid = r.json()["id"]
    assert len(jid) == 32 and r.json()["songs"] == ["input"]
    job = _wait(client, jid)
    assert job["status"] == "done" and job["progress"] == 1 and job["error"] is None, job
    assert set(job["songs"][0]["files"]) >= {"mix.flac", "vocals.flac", "labels.json", "song.png"}
    for song in ("0", "input"):
        audio = client.get(f"/v1/jobs/{jid}/songs/{song}/mix.flac")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/flac" and len(audio.content) > 1000
    labels = client.get(f"/v1/jobs/{jid}/songs/0/labels.json").json()
    assert labels["words"][0]["text"] == "sail"
    assert client.get(f"/v1/jobs/{jid}/songs/0/song.png").content[:4] == b"\x89PNG"
    assert client.get(f"/v1/jobs/{jid}/songs/0/../../jobs.sqlite3").status_code == 404
    assert client.get(f"/v1/jobs/{jid}/songs/7/mix.flac").status_code == 404
    assert "no file 'x.flac'" in client.get(f"/v1/jobs/{jid}/songs/0/x.flac").json()["detail"]
    assert any(j["id"] == jid for j in client.get("/v1/jobs").json()["jobs"])
    assert client.delete(f"/v1/jobs/{jid}").status_code == 204
    assert client.get(f"/v1/jobs/{jid}").status_code == 404
    assert client.delete(f"/v1/jobs/{jid}").status_code == 404


def test_edit_job_with_an_uploaded_song(server, tmp_path):
    import soundfile as sf
    client, _ = server
    x = 0.1 * np.sin(2 * np.pi * 220 * np.arange(24000 * 3) / 24000).astype(np.float32)
    buf = io.BytesIO()
    sf.write(buf, x, 24000, format="WAV")
    req = {"text": SHORT_LRC, "settings": {"steps": 2, "stems": ["vocals"]}, "edit": {"kind": "extract", "stem": "vocals"}}
    r = client.post("/v1/jobs", data={"request": json.dumps(req)}, files={"song": ("in.wav", buf.getvalue(), "audio/wav")})
    assert r.status_code == 202, r.text
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    assert set(job["songs"][0]["files"]) == {"mix.flac", "vocals.flac", "labels.json", "song.png"}
    # the edit's error paths
    no_song = client.post("/v1/jobs", json=req)
    assert no_song.status_code == 422 and "needs the input song" in no_song.json()["detail"]
    bad = client.post("/v1/jobs", data={"request": json.dumps(req)}, files={"song": ("in.wav", b"RIFFjunk", "audio/wav")})
    assert bad.status_code == 415 and "not decodable audio" in bad.json()["detail"]
    ext = client.post("/v1/jobs", data={"request": json.dumps(req)}, files={"song": ("in.exe", b"MZ", "x/y")})
    assert ext.status_code == 415
    span = dict(req, edit={"kind": "span", "start": 3, "end": 1})
    r = client.post("/v1/jobs", data={"request": json.dumps(span)}, files={"song": ("in.wav", buf.getvalue())})
    assert r.status_code == 422 and "start < end" in r.json()["detail"]
    r = client.post("/v1/jobs", data={"nothing": "here"}, files={"song": ("in.wav", buf.getvalue())})
    assert r.status_code == 422 and "'request'" in r.json()["detail"]
    render_edit = dict(req, mode="render")
    r = client.post("/v1/jobs", data={"request": json.dumps(render_edit)}, files={"song": ("in.wav", buf.getvalue())})
    assert r.status_code == 422 and "mode 'generate'" in r.json()["detail"]


def test_request_limits_and_validation(server):
    client, cfg = server
    huge = {"text": "la " * 100_000}
    r = client.post("/v1/jobs", json=huge)
    assert r.status_code == 413 and "limit of 200000 bytes" in r.json()["detail"]
    r = client.post("/v1/jobs", json={"text": SHORT_LRC, "settings": {"steps": 0}})
    assert r.status_code == 422 and "settings.steps" in r.json()["detail"]
    r = client.post("/v1/jobs", json={"text": SHORT_LRC, "settings": {"guidance": {"melody": 1}}})
    assert r.status_code == 422 and "guidance" in r.json()["detail"]
    r = client.post("/v1/jobs", json={"text": SHORT_LRC, "settings": {"vocal_guide": 1.5}})
    assert r.status_code == 422 and "settings.vocal_guide" in r.json()["detail"]
    r = client.post("/v1/jobs", json={"text": '{"id": "x", "duration": 100, "sections": []}'})
    assert r.status_code == 422 and r.json()["detail"].startswith("no song to make")
    up = client.post("/v1/jobs", data={"request": json.dumps({"text": SHORT_LRC, "edit": {"kind": "continue"}})},
                     files={"song": ("big.wav", b"0" * (cfg.max_upload + 10))})
    assert up.status_code == 413
    mp = {"content-type": "multipart/form-data; boundary=x"}
    r = client.post("/v1/jobs", content=b"garbage", headers=mp)
    assert r.status_code == 400 and r.json()["detail"].startswith("cannot read the request")
    body = b'--x\r\nContent-Disposition: form-data; name="request"\r\n\r\n{bad\r\n--x--\r\n'
    r = client.post("/v1/jobs", content=body, headers=mp)
    assert r.status_code == 422 and "Invalid JSON" in r.json()["detail"]
    import soundfile as sf
    buf = io.BytesIO()
    sf.write(buf, np.zeros(8000 * 61, np.float32), 8000, format="WAV")  # 61 s: over this server's 60 s
    req = {"text": SHORT_LRC, "edit": {"kind": "extract", "stem": "vocals"}}
    r = client.post("/v1/jobs", data={"request": json.dumps(req)}, files={"song": ("long.wav", buf.getvalue())})
    assert r.status_code == 413 and "61.0 s is outside (0, 60] s" in r.json()["detail"]


def test_queue_full_is_429_and_nothing_is_half_made(tmp_path):
    cfg = ServerConfig(str(tmp_path), None, workers=1, max_queued=2)
    client = TestClient(create_app(cfg, ui=False))  # no `with`: no lifespan, so no workers take the jobs
    codes = [client.post("/v1/jobs", json={"text": SHORT_LRC, "mode": "render"}).status_code for _ in range(4)]
    assert codes == [202, 202, 429, 429]
    assert len(os.listdir(os.path.join(str(tmp_path), "jobs"))) == 2  # refused jobs leave no folder
    r = client.post("/v1/jobs", json={"text": SHORT_LRC, "mode": "render"})
    assert r.headers["retry-after"] == "10"


def test_render_mode_and_time_limit(tmp_path):
    cfg = ServerConfig(str(tmp_path), None, workers=1, max_queued=4, job_time_limit=120)
    with TestClient(create_app(cfg, ui=False)) as client:
        jid = client.post("/v1/jobs", json={"text": SHORT_LRC, "mode": "render", "settings": {"seed": 3}}).json()["id"]
        job = _wait(client, jid)
        assert job["status"] == "done", job
        assert set(job["songs"][0]["files"]) == {"mix.flac", "vocals.flac", "drums.flac", "bass.flac", "other.flac",
                                                 "labels.json", "song.png"}
    cfg = ServerConfig(str(tmp_path / "slow"), None, workers=1, job_time_limit=1.0)
    with TestClient(create_app(cfg, ui=False)) as client:
        jid = client.post("/v1/jobs", json={"text": SHORT_LRC, "mode": "render"}).json()["id"]
        job = _wait(client, jid)
        assert job["status"] == "failed" and "time limit of 1 s" in job["error"], job


def test_store_claims_each_job_once_and_recovers_after_a_kill(tmp_path):
    store = JobStore(str(tmp_path / "jobs.sqlite3"))
    ids = [store.create(store.new_id(), "render", {}, ["a"], 100).id for _ in range(30)]
    got, lock = [], threading.Lock()

    def worker():
        while (job := store.claim()) is not None:
            with lock:
                got.append(job.id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(ids)  # every job exactly once
    store.finish(ids[0], True)
    store.close()
    again = JobStore(str(tmp_path / "jobs.sqlite3"))  # a restart: 29 were left running
    assert again.recover() == (29, 0)
    assert again.get(ids[0]).status == "done" and again.get(ids[1]).status == "queued"
    for attempt in range(2, MAX_ATTEMPTS + 1):  # interrupted again and again: failed with a reason, not retried forever
        while again.claim() is not None:
            pass
        assert again.recover() == ((29, 0) if attempt < MAX_ATTEMPTS else (0, 29))
    assert "interrupted 3 times" in again.get(ids[1]).error


def test_ui_compose_applies_style_duration_chords_and_word_times():
    import yaml

    from songforge.serve.compose import ComposeError, compose
    from songforge.songs import load
    words = [["sail", 0.5, 0.9], ["on", 1.0, 1.2], ["home", 1.3, 1.9], ["into", 2.0, 2.3], ["the", 2.3, 2.5],
             ["light", 2.6, 3.4]]
    text = compose(SHORT_LRC, "lrc", style_text="dark synth pop", duration=6.0, chords=[["Am", 0, 3], ["F", 3, 6]],
                   words=words)
    doc = yaml.safe_load(text)
    assert doc["duration"] == 6.0 and doc["style"]["text"] == "dark synth pop"
    assert doc["controls"]["chords"] == [{"symbol": "Am", "start": 0.0, "end": 3.0}, {"symbol": "F", "start": 3.0, "end": 6.0}]
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.yaml")
        with open(path, "w") as f:
            f.write(text)
        songs, errors = load(path)
    assert not errors and [(w.start, w.end) for w in songs[0].timing.words] == [(s, e) for _, s, e in words]
    with pytest.raises(ComposeError, match="6 words"):
        compose(SHORT_LRC, "lrc", words=words[:2])
    with pytest.raises(ComposeError, match="chords row 1 start"):
        compose(SHORT_LRC, "lrc", chords=[["C", "soon", 2]])


def test_job_settings_reach_the_cli_command():
    from types import SimpleNamespace

    from songforge.serve.jobs import command
    job = SimpleNamespace(mode="generate", request={"input": "in.json", "settings": {
        "seed": 3, "steps": 8, "vocal_guide": 0.8, "accompaniment_guide": 0.7, "guidance": {"lyrics+style+plan": 2.0}}})
    cmd = command(job, "/tmp/j", None)
    i = cmd.index("generate")
    assert cmd[i:i + 5] == ["generate", "in.json", "-o", "/tmp/j/out", "--seed"] and cmd[i + 5] == "3"
    for flag, value in (("--steps", "8"), ("--vocal-guide", "0.8"), ("--accompaniment-guide", "0.7"),
                        ("--guidance", "lyrics+style+plan=2")):
        assert cmd[cmd.index(flag) + 1] == value
    off = command(SimpleNamespace(mode="generate", request={"input": "x", "settings": {"vocal_guide": 0}}), "/j", None)
    assert off[off.index("--vocal-guide") + 1] == "0"  # 0 (from noise) is a choice, not "unset"
