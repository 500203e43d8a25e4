"""songforge serve reads only the files a request uploads (or, if the operator allows, files under its media root):
every field of every format that names a file, every way out (absolute, `..`, a symlink), through REST and the UI's
own check; the command line keeps its lenient search."""
import io
import json
import os

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from songforge.serve.app import create_app  # noqa: E402
from songforge.serve.config import ServerConfig  # noqa: E402

SECRET = "zebra-quartz-91"
WORDS = [{"word": w, "start": 0.5 + 0.5 * i, "end": 0.9 + 0.5 * i} for i, w in enumerate(["sail", "on", "home"])]


def _wav(seconds=3.0, sr=16000) -> bytes:
    import soundfile as sf
    t = np.arange(int(sr * seconds)) / sr
    buf = io.BytesIO()
    sf.write(buf, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sr, format="WAV")
    return buf.getvalue()


# every field that names a file: (format, song text naming NAME, the field)
def _songs(name: str) -> list[tuple[str, str]]:
    lyric = '"lyrics": "[verse]\\nsail on home"'
    return [
        ("jam lrc_path", json.dumps([{"id": "a", "lrc_path": name, "duration": 8}])),
        ("jam audio_path", json.dumps([{"id": "a", "lrc_path": "words.json", "duration": 8, "audio_path": name}])),
        ("jam prompt_path", json.dumps([{"id": "a", "lrc_path": "words.json", "duration": 8, "prompt_path": name}])),
        ("levo prompt_audio_path", json.dumps({"idx": "a", "gt_lyric": "[verse] sail on home", "prompt_audio_path": name})),
        ("acestep ref_audio_input", '{"prompt": "pop", ' + lyric + ', "audio_duration": 8, "audio2audio_enable": true, '
                                    f'"ref_audio_input": {json.dumps(name)}}}'),
        ("native reference_audio", json.dumps({"id": "a", "sections": [{"tag": "verse", "lines": ["sail on home"]}],
                                               "style": {"reference_audio": name}})),
        ("native voice_reference", json.dumps({"id": "a", "sections": [{"tag": "verse", "lines": ["sail on home"]}],
                                               "style": {"voice_reference": name}})),
    ]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A secret word list, a secret text and a secret recording outside any job, and a media root."""
    root = tmp_path_factory.mktemp("machine")
    secret = root / "secret"
    secret.mkdir()
    (secret / "words.json").write_text(json.dumps([{"word": SECRET, "start": 0.5, "end": 1.0}]))
    (secret / "style.txt").write_text(SECRET)
    (secret / "voice.wav").write_bytes(_wav())
    media = root / "media"
    (media / "refs").mkdir(parents=True)
    (media / "refs" / "ref.wav").write_bytes(_wav())
    os.symlink(secret / "voice.wav", media / "refs" / "link.wav")
    return root, secret, media


@pytest.fixture(scope="module")
def client(planted, tmp_path_factory, tiny_model):
    cfg = ServerConfig(str(tmp_path_factory.mktemp("serve")), tiny_model, max_queued=4, max_duration=60,
                       max_upload=2_000_000, job_time_limit=300)
    with TestClient(create_app(cfg, ui=False)) as c:
        yield c


def _check(client, text, files=()):
    if not files:
        return client.post("/v1/check", json={"text": text})
    return client.post("/v1/check", data={"request": json.dumps({"text": text})},
                       files=[("files", f) for f in files])


def _ways_out(planted):
    """Names a request might use to reach the planted secrets, and a name that exists nowhere."""
    _, secret, media = planted
    return {"absolute": str(secret / "{f}"), "dotdot": "../../../../../../../../" + str(secret / "{f}").lstrip("/"),
            "home": "~/{f}", "missing": "no_such_dir/{f}"}


@pytest.mark.parametrize("field", [f for f, _ in _songs("x")])
def test_every_field_refuses_every_way_out_with_the_same_answer(client, planted, field):
    target = {"jam lrc_path": "words.json", "jam prompt_path": "style.txt"}.get(field, "voice.wav")
    answers = {}
    for how, pattern in _ways_out(planted).items():
        name = pattern.format(f=target)
        text = dict(_songs(name))[field]
        uploads = [] if field.endswith("lrc_path") else [("words.json", json.dumps(WORDS).encode())]
        r = _check(client, text, uploads)
        assert r.status_code == 200, r.text
        body = r.text
        assert SECRET not in body and str(planted[1]) not in body.replace(name, ""), (how, body)
        lines = r.json()["problems"] + r.json()["notes"]
        line = next(ln for ln in lines if "is not among the files sent with this request" in ln)
        answers[how] = line.replace(repr(name), "NAME")
    assert len(set(answers.values())) == 1, answers  # an existing file and a missing one answer alike


def test_a_symlink_out_of_the_uploads_is_refused(client, planted, tmp_path):
    # the server names uploads itself, so the one way to plant a symlink is a name like "x/../link": refused as '..'
    r = _check(client, json.dumps([{"id": "a", "lrc_path": "words.json/../../secret/words.json", "duration": 8}]),
               [("words.json", json.dumps(WORDS).encode())])
    assert SECRET not in r.text and "is not among" in r.text
    # and an uploaded file's own name cannot carry a folder
    r = _check(client, "[verse]\nsail on home", [("../words.json", b"[]")])
    assert r.status_code == 422 and "plain file name" in r.json()["detail"]


def test_uploaded_files_work_end_to_end(client):
    """A JAM manifest + its lyric file + a style text + a reference recording: checked, generated, files served."""
    manifest = json.dumps([{"id": "harbor", "lrc_path": "harbor_words.json", "duration": 8,
                            "prompt_path": "harbor_style.txt", "audio_path": "ref.wav"}])
    files = [("files", ("harbor_words.json", json.dumps(WORDS).encode())),
             ("files", ("harbor_style.txt", b"funk, 104 bpm")), ("files", ("ref.wav", _wav(12.0)))]
    r = client.post("/v1/check", data={"request": json.dumps({"text": manifest})}, files=files)
    assert r.status_code == 200 and r.json()["ok"], r.text
    song = r.json()["songs"][0]
    assert [w["word"] for w in song["words"]] == ["sail", "on", "home"] and "funk" in song["style"]
    req = {"text": manifest, "settings": {"seed": 1, "steps": 2}}
    r = client.post("/v1/jobs", data={"request": json.dumps(req)}, files=files)
    assert r.status_code == 202, r.text
    jid = r.json()["id"]
    import time
    t0 = time.time()
    while (job := client.get(f"/v1/jobs/{jid}").json())["status"] not in ("done", "failed") and time.time() - t0 < 240:
        time.sleep(0.3)
    assert job["status"] == "done", job
    assert client.get(f"/v1/jobs/{jid}/songs/harbor/mix.flac").status_code == 200
    labels = client.get(f"/v1/jobs/{jid}/songs/0/labels.json").json()
    assert [w["text"] for w in labels["words"]][:3] == ["sail", "on", "home"]


def test_media_root_names_files_inside_it_only(planted, tmp_path, tiny_model):
    _, secret, media = planted
    cfg = ServerConfig(str(tmp_path / "d"), tiny_model, media_root=str(media))
    client = TestClient(create_app(cfg, ui=False))
    ok = json.dumps({"id": "a", "sections": [{"tag": "verse", "lines": ["sail on home"]}],
                     "style": {"reference_audio": "refs/ref.wav"}})
    r = client.post("/v1/check", json={"text": ok}).json()
    assert r["ok"] and not any("media" in p or str(media) in p for p in r["problems"] + r["notes"]), r
    for name in ("refs/link.wav", "refs/../../secret/voice.wav", str(secret / "voice.wav"), "refs/none.wav"):
        bad = ok.replace("refs/ref.wav", name)
        r = client.post("/v1/check", json={"text": bad}).json()
        assert not r["ok"] and any("is not among the files sent with this request or under this server's media "
                                   "folder" in p for p in r["problems"]), (name, r)
        assert str(media) not in json.dumps(r).replace(name, "")


def test_request_sizes_are_bounded(client):
    many = "\n".join(json.dumps({"idx": f"s{i}", "gt_lyric": "[verse] la la"}) for i in range(17))
    r = client.post("/v1/check", json={"text": many}).json()
    assert not r["ok"] and "17 songs is more than this server's limit of 16" in r["problems"][0]
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nid: s\nsections: [*b]\n"
    r = client.post("/v1/check", json={"text": bomb}).json()
    assert not r["ok"] and "YAML aliases" in r["problems"][0]
    files = [("files", (f"f{i}.txt", b"x")) for i in range(9)]
    r = client.post("/v1/check", data={"request": json.dumps({"text": "[verse]\nla la"})}, files=files)
    assert r.status_code == 422 and "9 files is more than this server's limit of 8" in r.json()["detail"], r.text


def test_the_ui_check_is_confined_too(planted, tmp_path, tiny_model):
    """The UI's check and compose take the same path (service.check / jobs.check_text with the job's uploads)."""
    from songforge.serve.compose import ComposeError, compose
    _, secret, _ = planted
    text = json.dumps([{"id": "a", "lrc_path": str(secret / "words.json"), "duration": 8}])
    with pytest.raises(ComposeError) as e:
        compose(text, None)
    assert SECRET not in str(e.value) and "is not among the files sent with this request" in str(e.value)
    manifest = json.dumps([{"id": "a", "lrc_path": "w.json", "duration": 8, "audio_path": "r.wav"}])
    out = compose(manifest, None, files=[("w.json", json.dumps(WORDS).encode()), ("r.wav", _wav(12.0))])
    import yaml
    assert yaml.safe_load(out)["style"]["reference_audio"] == "r.wav"


def test_the_command_line_still_finds_files_and_can_be_confined(planted, tmp_path, capsys):
    from songforge.cli import main
    _, secret, _ = planted
    man = tmp_path / "m.json"
    man.write_text(json.dumps([{"id": "a", "lrc_path": str(secret / "words.json"), "duration": 8}]))
    assert main(["check", str(man)]) == 0  # a user's own files: absolute paths are fine
    assert main(["check", str(man), "--files-from", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"is not among the files under {tmp_path}" in err and SECRET not in err
