"""Generation and editing, the public entry: spec -> plan -> conditions -> sample -> decode -> stems + mix.

    sf = songforge.load("models/default")
    result = sf.generate(spec)                      # a SongSpec, a Song, or a path to any input format
    result.write("out/")                            # mix, stems, labels.json, song.png

A model folder holds codec/ and dit/ (checkpoint folders) and model.json (latent statistics, sampling
defaults, the model card). Edits reuse the same sampler with an edit mask (1 = keep) over (frames, stems):
inpaint a span, continue a song, regenerate one stem, or separate a mixture (extract/remove a stem)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import torch

from .cond.dropout import null_conditions
from .cond.song import song_conditions
from .flow.guidance import Term, guided_velocity
from .flow.samplers import sample
from .flow.timesteps import sampling_grid
from .model import checkpoint
from .render.mix import STEMS

DEFAULT_GUIDANCE = (("lyrics", 2.0), ("style", 1.5), ("plan", 1.0))
LONG_FRAMES = 3000  # longer latent sequences (2 min at 25 Hz) run the guidance passes one after another (memory)


@dataclass(frozen=True)
class Sampling:
    steps: int = 16
    sampler: str = "euler"
    shift: float = 1.0
    # (condition, weight) per guidance term; "lyrics+style+plan" drops them together (one extra pass, not three)
    guidance: tuple[tuple[str, float], ...] = DEFAULT_GUIDANCE
    interval: tuple[float, float] = (0.05, 1.0)  # guidance active for t in [lo, hi] (t = 1 is data)
    # shallow diffusion of the vocals (flow/shallow.py): a new song's vocal stem follows the data engine's rendering
    # of the plan, noised, up to t = vocal_guide, and the model sings it from there (0: from noise, 1: the rendering)
    vocal_guide: float = 0.0
    # the same for the drums, bass and other stems (the data engine's arrangement of the plan, in its instruments)
    accompaniment_guide: float = 0.0
    # the accompaniment's t0 for a new song whose style comes from a reference recording, when accompaniment_guide
    # is 0: the model's own accompaniment does not carry a style it is asked for (benchmarks/style_follow.py)
    reference_accompaniment_guide: float = 0.0

    def guides(self, plan=None) -> dict[str, float]:
        """The stems a new song starts from the data engine's rendering, each with its t0 (STEMS order). With a
        plan, that song's own: no vocals for an instrumental, and the accompaniment from
        reference_accompaniment_guide when the song's style comes from a reference recording."""
        band = self.accompaniment_guide
        if plan is not None and not band and plan.spec.style.reference_audio:
            band = self.reference_accompaniment_guide
        t0s = {s: self.vocal_guide if s == "vocals" else band for s in STEMS}
        if plan is not None and not plan.melody:
            t0s.pop("vocals")  # an instrumental's (silent) vocals stay the model's
        return {s: t0 for s, t0 in t0s.items() if t0 > 0}

    def terms(self) -> tuple[Term, ...]:
        return tuple(Term(tuple(name.split("+")), w, self.interval) for name, w in self.guidance if w)


@dataclass(frozen=True)
class Edit:
    """What to keep from an input song. `audio`: stem name (or 'mix') -> float32 [samples] at the model's rate."""
    audio: dict = field(default_factory=dict)
    span: tuple[float, float] | None = None  # inpaint: regenerate [start, end) s, keep the rest
    keep_until: float | None = None  # continue: keep [0, keep_until) s, generate the rest
    stem: str | None = None  # add/regenerate this stem, keep the others
    separate: bool = False  # extract / remove: all stems from the input mix
    # separating: the stems as masks over the input mix's own spectrum (its phase and detail kept, the stems add up
    # to it) where the codec can (the mel codec); False decodes the generated stems as in any other edit
    mask_mixture: bool = True


@dataclass
class Generated:
    plan: object
    stems: dict[str, np.ndarray]
    mix: np.ndarray
    sample_rate: int
    latents: object = None  # torch [T, stems * C], normalised (what the sampler produced)

    def without(self, names: tuple[str, ...]) -> "Generated":
        """The song with these stems removed (the mix is the sum of the rest)."""
        if not names:
            return self
        kept = {k: v for k, v in self.stems.items() if k not in names}
        mix = sum(kept.values()) if kept else np.zeros_like(self.mix)
        return Generated(self.plan, kept, mix.astype(np.float32), self.sample_rate, self.latents)

    def write(self, out_dir: str, audio_format: str = "flac", picture: bool = True,
              stems: tuple[str, ...] = STEMS, release: bool = True) -> str:
        """The song's folder: mix, the chosen stems, labels.json, song.png; `release`: 44.1 kHz stereo, mastered
        (render/produce.py), else the model's mono output as decoded."""
        from .render.song import Rendered, write_song
        loud = _loudness(self.mix, self.sample_rate)
        return write_song(self.plan, Rendered(self.stems, self.mix, self.sample_rate, loud), out_dir, audio_format,
                          picture, release, stems)


def _loudness(x: np.ndarray, sr: int) -> float:
    from .render.mix import integrated_loudness
    v = integrated_loudness(x, sr)
    return float(v) if np.isfinite(v) else -70.0


class Songforge:
    def __init__(self, codec, dit, meta: dict, device: torch.device, dtype: torch.dtype, separator=None):
        self.codec, self.dit, self.meta = codec, dit, meta
        self.separator = separator  # splits a recording into vocals / the rest at STFT resolution (optional)
        self.separation = meta.get("separation", {})  # its settings, chosen by benchmarks/edits.py
        self.device, self.dtype = device, dtype
        self.mean = torch.tensor(meta["latent"]["mean"], device=device, dtype=torch.float32)
        self.std = torch.tensor(meta["latent"]["std"], device=device, dtype=torch.float32)
        chosen = {k: checkpoint.tuples_from_json(v) for k, v in meta.get("sampling", {}).items()}
        self.sampling = Sampling(**chosen)
        # edits keep the user's audio and get no vocal guide: their own defaults ("sampling_edits" over "sampling"),
        # chosen by benchmarks/edits.py as "sampling" was by benchmarks/heldout.py for new songs
        self.edit_sampling = Sampling(**(chosen | {k: checkpoint.tuples_from_json(v)
                                                   for k, v in meta.get("sampling_edits", {}).items()}))

    @property
    def sample_rate(self) -> int:
        return self.codec.cfg.sample_rate

    @property
    def latent_rate(self) -> float:
        return self.codec.cfg.latent_rate

    # -- public API -----------------------------------------------------------------------------------------
    def plan(self, song, seed: int | None = None):
        """A SongSpec, a loaded Song, or a path -> SongPlan (the data engine's planner)."""
        from .plan.plan import make_plan
        from .plan.timing import time_song
        from .songs import Song, load
        if isinstance(song, str):
            songs, errors = load(song)
            if errors:
                raise errors[0]
            song = songs[0]
        if isinstance(song, Song):
            return make_plan(song.spec, song.timing, seed)
        return make_plan(song, time_song(song), seed)

    def generate(self, song, seed: int = 0, sampling: Sampling | None = None, edit: Edit | None = None,
                 progress: bool = False, mix_levels: bool = True) -> Generated:
        plan = song if hasattr(song, "timing") and hasattr(song, "chords") else self.plan(song, seed)
        return self.generate_batch([plan], seed, sampling, [edit], progress, mix_levels)[0]

    @torch.no_grad()
    def generate_batch(self, plans: list, seed: int = 0, sampling: Sampling | None = None,
                       edits: list | None = None, progress: bool = False, mix_levels: bool = True) -> list[Generated]:
        """Several plans sampled together in one batch (padded to the longest; each decoded to its length).
        `mix_levels`: a new song's stems are mixed as the data engine mixes its renders (each stem at the plan's
        level, a stem the plan leaves silent muted, the mix at -14 LUFS); False returns them as decoded."""
        from tqdm import tqdm
        edits = edits or [None] * len(plans)
        sampling = sampling or (self.edit_sampling if any(e is not None for e in edits) else self.sampling)
        n = max(self._frames(p.duration) for p in plans)
        conds = [self._conditions(p, n, e) for p, e in zip(plans, edits)]
        cond = {k: torch.cat([c[k] for c in conds]) for k in conds[0]}
        g = torch.Generator(device="cpu").manual_seed(seed)
        x = torch.randn((len(plans), n, self.dit.cfg.io_channels), generator=g).to(self.device, self.dtype)
        ts = sampling_grid(sampling.steps, sampling.shift, self.device, self.dtype)
        bar = tqdm(total=len(ts) - 1, desc="sampling", unit="step", disable=not progress)

        def velocity(xt, t):
            v = guided_velocity(self.dit, xt, t, cond, sampling.terms(), null_conditions,
                                max_batch=len(plans) if n > LONG_FRAMES else None)
            bar.update(1)
            return v

        t0s = [sampling.guides(p) if e is None else {} for p, e in zip(plans, edits)]  # edits keep their own audio
        renders: dict[int, dict[str, np.ndarray]] = {}
        if any(t0s):
            renders = self._renders(plans, t0s)
            velocity = self._guided(velocity, x, n, t0s, renders)
        z = sample(sampling.sampler, velocity, x, ts)
        bar.close()
        keep = cond["edit_mask"].repeat_interleave(self.dit.cfg.latent_channels, dim=-1)
        z = z * (1 - keep) + cond["known"] * keep
        # a stem pinned all the way (t0 = 1) is the rendering: the song gets the rendered audio itself, not its
        # round trip through the codec (the model's other stems were sampled beside the rendering's latents)
        as_rendered = [{s: renders[i][s] for s, t0 in t0s[i].items() if t0 >= 1.0} for i in range(len(plans))]
        return [self._decode(p, z[i:i + 1], e, cond["edit_mask"][i], mix_levels, as_rendered[i])
                for i, (p, e) in enumerate(zip(plans, edits))]

    # -- internals ------------------------------------------------------------------------------------------
    def _renders(self, plans: list, t0s: list[dict[str, float]]) -> dict[int, dict[str, np.ndarray]]:
        """{song index: {stem: the data engine's rendering of it}} for the stems each song is guided on (the
        stems as the training renders have them: sung, played, compressed, reverberated, mixed)."""
        from .render.guide import rendered_stems
        new = [i for i, t in enumerate(t0s) if t]
        names = tuple(s for s in STEMS if any(s in t0s[i] for i in new))
        return {i: dict(zip(names, stems))
                for i, stems in zip(new, rendered_stems([plans[i] for i in new], self.sample_rate, names))}

    def _guided(self, velocity, x0: torch.Tensor, n: int, t0s: list[dict[str, float]],
                renders: dict[int, dict[str, np.ndarray]]):
        """`velocity` with each song's stems pinned to their renderings (`renders`), each below its own t0 (t0s[i]:
        Sampling.guides(plan) for a new song, {} for an edit, which keeps or regenerates the user's own audio)."""
        from .flow.shallow import anchored
        c = self.dit.cfg.latent_channels  # stem i's channels: [i c, (i + 1) c), in STEMS order
        new = sorted(renders)
        names = tuple(s for s in STEMS if any(s in renders[i] for i in new))
        target = torch.zeros(x0.shape[:-1] + (len(names) * c,), device=x0.device, dtype=x0.dtype)
        for i in new:
            target[i] = torch.cat([self._encode(renders[i][s], n) for s in names], dim=-1).to(x0.dtype)
        for k, name in enumerate(names):
            j = STEMS.index(name)
            for t0 in sorted({t0s[i][name] for i in new if name in t0s[i]}):  # one pin per distinct t0
                mask = torch.tensor([t0s[i].get(name) == t0 for i in range(len(t0s))], device=x0.device)[:, None, None]
                velocity = anchored(velocity, x0, target[..., k * c:(k + 1) * c], mask, t0, slice(j * c, (j + 1) * c))
        return velocity

    def _frames(self, seconds: float) -> int:
        return int(np.ceil(seconds * self.latent_rate - 1e-6))

    def _encode(self, audio: np.ndarray, n: int) -> torch.Tensor:
        """[samples] -> normalised latent [n, C] (cut or zero-latent padded to n frames)."""
        x = torch.from_numpy(audio.astype(np.float32))[None].to(self.device)
        z = (self.codec.encode_long(x)[0].T.float() - self.mean) / self.std
        return torch.cat([z, torch.zeros(max(0, n - z.shape[0]), z.shape[1], device=self.device)])[:n]

    def _conditions(self, plan, n: int, edit: Edit | None) -> dict:
        cfg = self.dit.cfg
        c = song_conditions(plan, n, self.latent_rate, cfg.grid_factor)
        out = {k: torch.from_numpy(np.asarray(v))[None].to(self.device) for k, v in c.items()}
        for k in ("onsets", "plan", "style", "duration"):
            out[k] = out[k].to(self.dtype)
        ones = torch.ones(1, device=self.device, dtype=self.dtype)
        out.update(lyrics_on=ones, plan_on=ones, style_on=ones, mix_on=0 * ones,
                   known=torch.zeros(1, n, cfg.io_channels, device=self.device, dtype=self.dtype),
                   edit_mask=torch.zeros(1, n, cfg.stems, device=self.device, dtype=self.dtype),
                   mix=torch.zeros(1, n, cfg.latent_channels, device=self.device, dtype=self.dtype))
        if edit is not None:
            self._apply_edit(out, edit, n)
        return out

    def _apply_edit(self, out: dict, edit: Edit, n: int) -> None:
        keep = torch.zeros(n, len(STEMS), device=self.device)
        if edit.separate:
            if "mix" not in edit.audio:
                raise ValueError("separating stems needs the input song's mix")
            out["mix"] = self._encode(edit.audio["mix"], n)[None].to(self.dtype)
            out["mix_on"] = torch.ones_like(out["mix_on"])
        else:
            missing = [s for s in STEMS if s not in edit.audio and s != edit.stem]
            if missing:
                raise ValueError(f"this edit needs the input song's stems; missing: {', '.join(missing)}")
            known = [self._encode(edit.audio[s], n) if s in edit.audio else torch.zeros(n, self.dit.cfg.latent_channels,
                                                                                     device=self.device) for s in STEMS]
            out["known"] = torch.cat(known, dim=-1)[None].to(self.dtype)
            fr = lambda s: min(n, max(0, int(round(s * self.latent_rate))))  # noqa: E731
            if edit.span is not None:
                keep[:] = 1.0
                keep[fr(edit.span[0]):fr(edit.span[1])] = 0.0
            elif edit.keep_until is not None:
                keep[:fr(edit.keep_until)] = 1.0
            elif edit.stem is not None:
                keep[:] = 1.0
                keep[:, STEMS.index(edit.stem)] = 0.0
        out["edit_mask"] = (keep * out["frame_mask"][0, :, None])[None].to(self.dtype)

    def _decode(self, plan, z: torch.Tensor, edit: Edit | None = None, keep: torch.Tensor | None = None,
                mix_levels: bool = False, as_rendered: dict[str, np.ndarray] | None = None) -> Generated:
        c = self.dit.cfg.latent_channels
        samples = int(round(plan.duration * self.sample_rate))
        zs = z[0].float().reshape(z.shape[1], len(STEMS), c) * self.std + self.mean  # [T, stems, C]
        if edit is not None and edit.separate and edit.mask_mixture and hasattr(self.codec, "mask_mixture"):
            mix_in = torch.from_numpy(np.pad(edit.audio["mix"], (0, max(0, samples - len(edit.audio["mix"])))))
            y = self._separate(mix_in[:samples].to(self.device), zs.permute(1, 2, 0))
        else:  # the stems the song takes from its rendering as they are need no decoding
            decoded = [i for i, name in enumerate(STEMS) if name not in (as_rendered or {})]
            y = np.zeros((len(STEMS), samples), np.float32)
            if decoded:
                y_dec = self.codec.decode_long(zs[:, decoded].permute(1, 2, 0).to(self.dtype)).float().cpu().numpy()
                n = min(samples, y_dec.shape[1])
                y[decoded, :n] = y_dec[:, :n]
            if edit is not None and keep is not None and not edit.separate:
                y = self._splice(y, edit, keep)
        stems = {name: y[i, :samples].astype(np.float32) for i, name in enumerate(STEMS)}
        for name, audio in (as_rendered or {}).items():
            stems[name] = np.pad(audio, (0, max(0, samples - len(audio))))[:samples].astype(np.float32)
        if edit is None and mix_levels:
            stems, mix = mixed_at_plan_levels(plan, stems, self.sample_rate)
            return Generated(plan, stems, mix, self.sample_rate, z[0].float().cpu())
        mix = sum(stems.values())
        peak = float(np.max(np.abs(mix))) if mix.size else 0.0
        spliced = edit is not None and not edit.separate
        if peak > 0.98 and not spliced:  # the sum of four decoded stems can clip: scale everything together
            # (an edit keeps the user's audio as it was: it is not scaled)
            stems = {k: v * (0.98 / peak) for k, v in stems.items()}
            mix = mix * (0.98 / peak)
        return Generated(plan, stems, mix.astype(np.float32), self.sample_rate, z[0].float().cpu())

    def _separate(self, mix: torch.Tensor, z: torch.Tensor) -> np.ndarray:
        """The input recording [S] split into the stems [stems, S] by masks over its own STFT. With a separator in
        the model, it takes the vocals away first (its mask is at the STFT's resolution, the DiT's at 25 Hz x 128
        mel bands; the rest masked by (1 - its vocal mask) ** rest_mask_power) and the shares of the DiT's estimated
        drums, bass and other split the rest; without one, the DiT's shares split everything. The stems add up to
        the input either way."""
        if self.separator is None:
            return self.codec.mask_mixture(mix, z).cpu().numpy()
        rest = self.separator.without_vocals(mix[None].float(), self.separation.get("rest_mask_power", 1.0))[0]
        others = self.codec.mask_mixture(rest, z[1:])  # STEMS: vocals first
        return torch.cat([(mix.float() - rest)[None], others]).cpu().numpy()

    def _splice(self, y: np.ndarray, edit: Edit, keep: torch.Tensor) -> np.ndarray:
        """Decoded stems [stems, S] with what the edit keeps taken from the input audio itself (kept audio is the
        user's, not its codec round trip); one latent frame of linear cross-fade at every boundary."""
        spl = self.codec.cfg.samples_per_latent
        n = y.shape[1]
        out = y.copy()
        for i, name in enumerate(STEMS):
            k = keep[:, i].float().cpu().numpy()
            if name not in edit.audio or not k.any():
                continue
            hard = np.pad(np.repeat(k, spl), spl // 2, mode="edge")
            w = np.convolve(hard, np.full(spl, 1.0 / spl), mode="valid")[:n]
            w = np.pad(w, (0, n - len(w)), mode="edge")
            src = np.zeros(n, np.float32)
            src[:min(n, len(edit.audio[name]))] = edit.audio[name][:n]
            blend = (w * src + (1 - w) * y[i]).astype(np.float32)
            out[i] = np.where(w > 1 - 1e-6, src, np.where(w < 1e-6, y[i], blend))
        return out


def mixed_at_plan_levels(plan, stems: dict[str, np.ndarray], sr: int) -> tuple[dict, np.ndarray]:
    """(stems, mix) of a new song mixed as the data engine mixes renders: each stem at the plan's level, a stem the
    plan leaves silent muted, the mix at -14 LUFS (render/mix.py)."""
    from .render.mix import level_stems
    playing = (bool(plan.melody), bool(plan.drums), bool(plan.bass), bool(plan.other))
    out, mix, _ = level_stems(stems, plan.levels_db, playing, sr)
    return out, mix


def load(model_dir: str, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32,
         adapter: str | None = None) -> Songforge:
    """The generator in `model_dir` (codec/, dit/, model.json); nothing is downloaded. `adapter`: a LoRA adapter
    folder (model/lora.py) merged into the DiT."""
    path = os.path.join(model_dir, "model.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{model_dir}: not a songforge model folder (no model.json)")
    with open(path) as f:
        meta = json.load(f)
    device = torch.device(device)
    codec, _ = checkpoint.load(os.path.join(model_dir, "codec"), device, dtype)
    decode = meta.get("decode", {})  # the model's decoding defaults (e.g. Griffin-Lim iterations), chosen by
    if decode:  # measurement like "sampling"; the codec folder (and the latent caches keyed on it) stay as they are
        from dataclasses import fields, replace
        known = sorted(f.name for f in fields(codec.cfg))
        unknown = sorted(set(decode) - set(known))
        if unknown:
            raise ValueError(f"{path}: field 'decode': unknown codec setting(s) {', '.join(unknown)} "
                             f"(known: {', '.join(known)})")
        codec.cfg = replace(codec.cfg, **decode)
    dit, _ = checkpoint.load(os.path.join(model_dir, "dit"), device, dtype)
    if adapter:
        from .model.lora import merge_adapter
        card = merge_adapter(dit, adapter, os.path.join(model_dir, "dit")).get("card", {})
        meta = dict(meta, adapter={"path": os.path.abspath(adapter), "data": card.get("data"),
                                   "styles": card.get("styles"), "steps": card.get("steps")})
    separator = None  # optional: a model folder without one separates by the DiT's latents alone
    unknown = sorted(set(meta.get("separation", {})) - {"rest_mask_power"})
    if unknown:
        raise ValueError(f"{path}: field 'separation': unknown setting(s) {', '.join(unknown)} (known: rest_mask_power)")
    if os.path.exists(os.path.join(model_dir, "separator", "config.json")):
        separator, _ = checkpoint.load(os.path.join(model_dir, "separator"), device)  # float32: small, runs once
    return Songforge(codec, dit, meta, device, dtype, separator)


def assemble(out: str, codec_dir: str, dit_dir: str, stats: dict, sampling: Sampling, card: dict,
             dtype: torch.dtype = torch.float16) -> str:
    """Write a model folder from trained checkpoints (weights stored in `dtype`)."""
    os.makedirs(out, exist_ok=True)
    for name, src in (("codec", codec_dir), ("dit", dit_dir)):
        model, kind = checkpoint.load(src)
        checkpoint.save(model, kind, os.path.join(out, name), dtype=dtype)
    meta = {"latent": {"mean": stats["mean"], "std": stats["std"], "codec": stats["codec"]},
            "sampling": {k: v for k, v in sampling.__dict__.items()}, "card": card}
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return out


__all__ = ["Songforge", "Sampling", "Edit", "Generated", "load", "assemble", "mixed_at_plan_levels"]
