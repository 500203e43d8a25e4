"""The command line end to end: check, convert, plot, g2p."""
import json
import os

from songforge.cli import main

from conftest import EXAMPLES


def test_check_examples(capsys):
    files = [os.path.join(EXAMPLES, f) for f in ("harbor.lrc", "harbor_acestep.json", "moonlit_jam_manifest.json")]
    assert main(["check", *files]) == 0
    out = capsys.readouterr().out
    assert "moonlit" in out and "times given" in out and "[verse]" in out


def test_convert_levo_to_jam_plans_times(tmp_path):
    out = tmp_path / "m.json"
    assert main(["convert", os.path.join(EXAMPLES, "two_songs_levo.jsonl"), "--to", "jam", "-o", str(out)]) == 0
    manifest = json.loads(out.read_text())
    assert [m["id"] for m in manifest] == ["harbor", "chuntian"]
    words = json.loads((tmp_path / manifest[0]["lrc_path"]).read_text())
    assert words[0]["word"] == "The" and words[0]["end"] > words[0]["start"] > 0
    assert (tmp_path / manifest[1]["prompt_path"]).read_text().strip().endswith("90 bpm")


def test_plot_writes_png(tmp_path):
    out = tmp_path / "p"
    assert main(["plot", os.path.join(EXAMPLES, "two_songs_levo.jsonl"), "-o", str(out)]) == 0
    for sid in ("harbor", "chuntian"):
        data = (out / f"{sid}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000


def test_plot_with_chords_and_melody(tmp_path):
    spec = {"id": "c", "duration": 8, "controls": {"bpm": 120, "key": "C major",
            "chords": [{"symbol": "C", "start": 0, "end": 4}, {"symbol": "Am", "start": 4, "end": 8}],
            "melody": [{"pitch": 60 + i, "start": i * 0.5, "end": i * 0.5 + 0.5} for i in range(8)]},
            "sections": [{"tag": "verse", "lines": ["hello there my friend"]}]}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(spec))
    assert main(["plot", str(p), "-o", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").stat().st_size > 20000


def test_g2p_command(capsys):
    assert main(["g2p", "长城 hello"]) == 0
    out = capsys.readouterr().out
    assert "ang2" in out and "oʊ" in out
