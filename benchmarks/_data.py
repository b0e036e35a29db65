"""Where the benchmark data lives: ``../shared/datasets`` beside the repo (never copied in)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def datasets_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "datasets", Path("/work/shared/datasets")):
        if candidate.is_dir():
            return candidate
    raise SystemExit("benchmark data not found: expected ../shared/datasets beside the repo")
