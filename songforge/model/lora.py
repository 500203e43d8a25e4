"""Low-rank adapters (LoRA, Hu et al. 2021) for the DiT (BLOCK_TARGETS in every block, TOP_TARGETS around them):
each adapted linear layer computes W x + (alpha / rank) B A x with A [rank, in] and B [out, rank]; B starts at zero,
so an adapted model starts as its base. Fine-tuning on a user's own songs trains A and B only; the adapter is saved
alone (0.5-2 MB at rank 8-16) and
applied to the base model by merging B A into W (no cost at generation).

peft does the same for transformers models, but it pulls transformers and the hub client for what is here ~60
lines, and its adapter files name a hub model: an adapter here names its base by the hash of its weights."""
from __future__ import annotations

import hashlib
import json
import math
import os

import torch
import torch.nn.functional as F
from torch import nn

# in every transformer block: attention, MLP and the adaLN modulation (through which style and time act); and the
# layers that read the conditions and write the output
BLOCK_TARGETS = ("attn.qkv", "attn.out", "mlp.w12", "mlp.w3", "mod")
TOP_TARGETS = ("in_proj", "plan_proj.0", "plan_proj.2", "style_proj", "style_tok", "final_mod", "out_proj")
ADAPTER_FILE, ADAPTER_JSON = "adapter.safetensors", "adapter.json"


class LoRALinear(nn.Linear):
    """nn.Linear plus a low-rank update; `weight` (and `bias`) keep their names, so a base checkpoint loads as is."""

    def add_adapter(self, rank: int, alpha: float) -> None:
        self.rank, self.scale = rank, alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, self.in_features, device=self.weight.device))
        self.lora_b = nn.Parameter(torch.zeros(self.out_features, rank, device=self.weight.device))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scale


def adapted_names(model: nn.Module) -> list[str]:
    return [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and
            (n in TOP_TARGETS or (n.startswith("blocks.") and n.split(".", 2)[-1] in BLOCK_TARGETS))]


def add_lora(model: nn.Module, rank: int, alpha: float) -> list[str]:
    """Turn the target linear layers of `model` into LoRALinear in place; returns their names."""
    names = adapted_names(model)
    for n in names:
        m = model.get_submodule(n)
        m.__class__ = LoRALinear
        m.add_adapter(rank, alpha)
    return names


def is_lora(name: str) -> bool:
    return name.endswith((".lora_a", ".lora_b"))


def base_fingerprint(dit_dir: str) -> str:
    """What an adapter's base is: the hash of its DiT weights."""
    h = hashlib.sha256()
    with open(os.path.join(dit_dir, "model.safetensors"), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def save_adapter(state: dict[str, torch.Tensor], rank: int, alpha: float, base_dit: str, folder: str,
                 card: dict | None = None) -> str:
    """The LoRA tensors of a state dict (fp16) + adapter.json (rank, alpha, base fingerprint, card), atomically."""
    from safetensors.torch import save_file
    tmp = folder + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    save_file({k: v.detach().to(torch.float16).contiguous().cpu() for k, v in state.items() if is_lora(k)},
              os.path.join(tmp, ADAPTER_FILE))
    with open(os.path.join(tmp, ADAPTER_JSON), "w", encoding="utf-8") as f:
        json.dump({"rank": rank, "alpha": alpha, "base": base_fingerprint(base_dit), "card": card or {}}, f, indent=1)
    if os.path.isdir(folder):
        import shutil
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return folder


def read_adapter(folder: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """(adapter.json, tensors). Raises ValueError naming the folder when it is not an adapter."""
    from safetensors.torch import load_file
    meta_path = os.path.join(folder, ADAPTER_JSON)
    if not os.path.isfile(meta_path) or not os.path.isfile(os.path.join(folder, ADAPTER_FILE)):
        raise ValueError(f"--adapter {folder}: not an adapter folder (no {ADAPTER_JSON} + {ADAPTER_FILE}; "
                         "`songforge train dit --lora RANK` writes one in RUN/adapter)")
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    return meta, load_file(os.path.join(folder, ADAPTER_FILE))


@torch.no_grad()
def merge_adapter(dit: nn.Module, folder: str, dit_dir: str) -> dict:
    """Add the adapter's (alpha / rank) B A to the weights of `dit` (loaded from `dit_dir`, not adapted); returns
    adapter.json. Raises ValueError when the adapter was trained on another base model or does not fit it."""
    meta, tensors = read_adapter(folder)
    if meta["base"] != base_fingerprint(dit_dir):
        raise ValueError(f"--adapter {folder}: trained on another base model (fingerprint {meta['base']}, this "
                         f"model's {base_fingerprint(dit_dir)})")
    scale = meta["alpha"] / meta["rank"]
    for key in sorted(k for k in tensors if k.endswith(".lora_a")):
        name = key[:-len(".lora_a")]
        try:
            layer = dit.get_submodule(name)
        except AttributeError:
            raise ValueError(f"--adapter {folder}: {name} is not a layer of this model") from None
        delta = tensors[name + ".lora_b"].float() @ tensors[key].float()
        if delta.shape != layer.weight.shape:
            raise ValueError(f"--adapter {folder}: {name} is {list(delta.shape)}, the model's "
                             f"{list(layer.weight.shape)}")
        layer.weight += (scale * delta).to(layer.weight.dtype)
    return meta
