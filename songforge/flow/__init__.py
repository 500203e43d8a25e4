"""Rectified-flow math shared by training and sampling: path, time grids, pure samplers, guidance."""
