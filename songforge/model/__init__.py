"""Neural engine: the DiT (velocity network) and its building blocks; checkpoints as safetensors + JSON."""
