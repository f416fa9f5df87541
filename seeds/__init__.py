"""Seed memory programs: faithful re-implementations of published memory architectures."""

from seeds.registry import SEEDS, Seed, UnknownSeedError, get_seed

__all__ = ["SEEDS", "Seed", "UnknownSeedError", "get_seed"]
