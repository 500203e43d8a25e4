"""DiT training task: rectified-flow velocity regression on cached stem latents, with the editing tasks mixed in.

Each batch item is a window of one clip and one task:
  generate (nothing kept) | inpaint (all stems kept outside a span) | continue (a prefix kept) |
  add-stem (three stems kept, one generated) | extract (the mixture's latent given, all stems generated).
The loss covers only generated, in-song positions. Condition dropout (cond/dropout.py) trains the guidance.

Every random choice of an item (clip, task, window, edit mask, condition dropout, noise, time) comes from that
item's own generator, seeded by (seed, step, item's place in the global batch), and the loss is the mean over items
of each item's masked mean: a step of N processes with batch B each (DDP averages their gradients) computes what
one process with batch N x B computes, and a run resumes under another number of processes."""
from __future__ import annotations

import torch

from ..cond.dropout import drop_conditions
from ..cond.song import DURATION_SCALE, duration_features
from ..flow.path import interpolate, target_velocity
from ..flow.timesteps import train_times
from ..model.dit import DiTConfig
from ..text.phonemes import PAD
from .config import TrainConfig
from .latents import build_cache, load_cached

TASKS = (("generate", 0.5), ("inpaint", 0.15), ("continue", 0.1), ("add_stem", 0.15), ("extract", 0.1))


def edit_mask(task: str, n: int, stems: int, generator: torch.Generator) -> tuple[torch.Tensor, float]:
    """(keep mask [n, stems] with 1 = keep, mix flag) for one task over a window of n frames."""
    keep = torch.zeros(n, stems)
    if task == "inpaint":
        span = int(torch.randint(max(1, n // 8), max(2, n // 2), (1,), generator=generator))
        a = int(torch.randint(0, max(1, n - span), (1,), generator=generator))
        keep[:] = 1.0
        keep[a:a + span] = 0.0
    elif task == "continue":
        keep[: int(torch.randint(max(1, n // 8), max(2, 3 * n // 4), (1,), generator=generator))] = 1.0
    elif task == "add_stem":
        keep[:] = 1.0
        keep[:, int(torch.randint(stems, (1,), generator=generator))] = 0.0
    return keep, 1.0 if task == "extract" else 0.0


def window(item: dict, start: int, n: int, grid_factor: int) -> dict:
    """Frames [start, start + n) of a cached clip, zero/False-padded past its end."""
    t = item["stems"].shape[0]
    end = min(t, start + n)
    pad = n - (end - start)

    def cut(x, g=1, value=0):
        y = x[start * g:end * g]
        return torch.cat([y, torch.full((pad * g,) + tuple(y.shape[1:]), value, dtype=y.dtype)]) if pad else y

    return {"x1": cut(item["stems"].float()).flatten(1), "mix": cut(item["mix"].float()),
            "phonemes": cut(item["phonemes"], grid_factor, PAD), "onsets": cut(item["onsets"], grid_factor),
            "plan": cut(item["plan"]), "frame_mask": cut(item["frame_mask"], 1, False)}


def held_out(stats: dict, n: int = 8) -> list[int]:
    """Validation clip indices (a corpus too small to have any validates on its last training clips)."""
    return ((stats["splits"]["valid"] + stats["splits"]["test"]) or stats["splits"]["train"][-2:])[:n]


def normalise(item: dict, mean: torch.Tensor, std: torch.Tensor) -> dict:
    return dict(item, stems=(item["stems"].float() - mean) / std, mix=(item["mix"].float() - mean) / std)


class DiTTask:
    shardable = True  # batch(step, generator, (rank, world)): see the module docstring
    def __init__(self, corpus: str, cfg: DiTConfig, tc: TrainConfig, codec_dir: str, cache: str, progress: bool = True,
                 latent_stats: tuple[list[float], list[float]] | None = None):
        """latent_stats: (mean, std) per channel to normalise with (a fine-tune keeps its base model's); default:
        the corpus's own."""
        from accelerate import PartialState
        self.cfg, self.tc = cfg, tc
        with PartialState(cpu=not torch.cuda.is_available()).main_process_first():  # the cache is built once, by
            stats = build_cache(corpus, codec_dir, cache, cfg.grid_factor, progress)  # the main process; others read
        mean, std = latent_stats or (stats["mean"], stats["std"])
        self.mean, self.std = torch.tensor(mean), torch.tensor(std)
        self.rate = stats["latent_rate"]
        self.train_indices = list(stats["splits"]["train"])  # corpus clip index of each self.train item
        self.train = [normalise(i, self.mean, self.std) for i in load_cached(cache, stats["splits"]["train"])]
        self.valid = [normalise(i, self.mean, self.std) for i in load_cached(cache, held_out(stats))]
        longest = max(i["stems"].shape[0] for i in self.train)
        self.frames = int(round(tc.segment_s * self.rate)) if tc.segment_s > 0 else longest

    def conditions(self, item: dict, start: int) -> dict:
        """A window of `frames` from `start` of a cached clip: its latents (x1, mix) and every condition, as a new
        song (nothing kept)."""
        w = window(item, start, self.frames, self.cfg.grid_factor)
        seconds = float(item["duration"][0]) * DURATION_SCALE  # the cache holds duration_features()
        duration = torch.from_numpy(duration_features(seconds, self.frames, self.rate))
        return dict(w, edit_mask=torch.zeros(self.frames, self.cfg.stems), mix_on=torch.tensor(0.0), style=item["style"],
                    duration=duration, lyrics_on=torch.tensor(1.0), plan_on=torch.tensor(1.0), style_on=torch.tensor(1.0))

    def _item(self, item: dict, generator: torch.Generator, task: str) -> dict:
        t = item["stems"].shape[0]
        start = int(torch.randint(0, max(1, t - self.frames + 1), (1,), generator=generator))
        c = self.conditions(item, start)
        keep, mix_on = edit_mask(task, self.frames, self.cfg.stems, generator)
        return c | {"edit_mask": keep * c["frame_mask"][:, None], "mix_on": torch.tensor(mix_on)}

    def _stack(self, items: list[dict]) -> dict:
        out = {k: torch.stack([i[k] for i in items]) for k in items[0]}
        out["known"] = out["x1"]  # the model masks it with edit_mask itself
        return out

    def batch(self, step: int, generator: torch.Generator, shard: tuple[int, int] = (0, 1)) -> dict:
        """This process's share of step `step`'s global batch: items rank x B .. rank x B + B - 1 of world x B
        (shard = (rank, world), B = batch_size), each drawn from its own generator (`generator` is not used)."""
        names = [n for n, _ in TASKS]
        probs = torch.tensor([p for _, p in TASKS])
        rank, _ = shard
        items = []
        for j in range(self.tc.batch_size):
            g = item_generator(self.tc.seed, step, rank * self.tc.batch_size + j)
            item = self.train[int(torch.randint(len(self.train), (1,), generator=g))]
            task = names[int(torch.multinomial(probs, 1, generator=g))]
            it = self._item(item, g, task)
            it = drop_conditions({k: v[None] for k, v in it.items()}, g)  # flags [1]: this item's dropout
            it = {k: v[0] for k, v in it.items()}
            it["x0"] = torch.randn(it["x1"].shape, generator=g)
            it["t"] = train_times(1, g)[0]
            items.append(it)
        return self._stack(items)

    def loss(self, model, batch: dict, generator: torch.Generator):
        return flow_loss(model, batch, generator, train=True)

    @torch.no_grad()
    def evaluate(self, model, step: int) -> dict:
        """Validation flow loss on fixed windows, fixed noise and fixed times (comparable across steps)."""
        g = torch.Generator().manual_seed(1234)
        dev = next(model.parameters()).device
        items = [self._item(v, g, "generate") for v in self.valid]
        batch = {k: v.to(dev) for k, v in self._stack(items).items()}
        losses = [float(flow_loss(model, batch, torch.Generator(device=dev).manual_seed(k), train=False,
                                  t_fixed=tt)[0]) for k, tt in enumerate((0.1, 0.3, 0.5, 0.7, 0.9))]
        return {"valid_flow_loss": sum(losses) / len(losses)}


def item_generator(seed: int, step: int, item: int) -> torch.Generator:
    """The generator of item `item` of step `step`'s global batch (whichever process computes it)."""
    return torch.Generator().manual_seed((seed * 1_000_003 + step * 7919 + item * 104_729 + 17) % (2 ** 63))


def flow_loss(model, batch: dict, generator: torch.Generator, train: bool, t_fixed: float | None = None):
    """Masked rectified-flow loss: per item, the mean squared velocity error over its generated, in-song positions;
    then the mean over items. The noise `x0` and times `t` come with the batch when the task drew them per item
    (its conditions then already dropped); else they are drawn here from `generator`, with condition dropout
    when training."""
    x1 = batch["x1"]
    cond = {k: v for k, v in batch.items() if k not in ("x1", "x0", "t")}
    b = x1.shape[0]
    if "x0" in batch:
        x0, t = batch["x0"].to(x1.dtype), batch["t"]
    else:
        if train:
            cond = drop_conditions(cond, generator)
        x0 = torch.randn(x1.shape, generator=generator, device=x1.device, dtype=x1.dtype)
        t = train_times(b, generator, x1.device)
    if t_fixed is not None:
        t = torch.full((b,), t_fixed, device=x1.device)
    v = model(interpolate(x0, x1, t), t, cond)
    c = x1.shape[-1] // cond["edit_mask"].shape[-1]
    w = (1 - cond["edit_mask"]).repeat_interleave(c, dim=-1) * cond["frame_mask"][..., None]
    per_item = ((v.float() - target_velocity(x0, x1)) ** 2 * w).flatten(1).sum(1) / w.flatten(1).sum(1).clamp_min(1.0)
    return per_item.mean(), {}
