"""Shared fixtures: the real benchmark slices, in ../shared/data beside the repository on every dev and CI
machine, or wherever MNEMOFORGE_SHARED_DATA points (a clone kept elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("MNEMOFORGE_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
).resolve()
LOCOMO_DEV = SHARED_DATA / "locomo" / "locomo_dev2.json"
LONGMEMEVAL_DEV = SHARED_DATA / "longmemeval" / "longmemeval_oracle_dev45.json"


@pytest.fixture(scope="session")
def locomo_path() -> Path:
    assert LOCOMO_DEV.is_file(), f"the LoCoMo dev slice is missing at {LOCOMO_DEV}"
    return LOCOMO_DEV
