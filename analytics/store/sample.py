"""The bundled sample data (sample_data/): loaded into an empty database so
the first screen is a real dashboard, and removable again (`clear_sample`)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from analytics.access import SYSTEM, User
from analytics.store.batches import StoreResult, clear_sample, has_sample, store_file

__all__ = ["SAMPLE_DIR", "SAMPLE_SUFFIXES", "sample_files", "load_sample", "clear_sample",
           "has_sample"]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_SUFFIXES = (".xlsx", ".xls", ".csv")


def sample_files(folder: Path = SAMPLE_DIR) -> list[Path]:
    """Every sample workbook, in a stable order (targets last is fine: no dependency)."""
    return sorted(p for p in folder.rglob("*")
                  if p.suffix.lower() in SAMPLE_SUFFIXES and p.is_file())


def load_sample(engine: Engine, *, actor: User = SYSTEM,
                folder: Path = SAMPLE_DIR) -> list[StoreResult]:
    """Store every sample file as sample batches; files already stored are skipped."""
    results: list[StoreResult] = []
    for path in sample_files(folder):
        results += store_file(engine, path, filename=str(path.relative_to(folder)),
                              actor=actor, is_sample=True, isolate=False)  # our own files
    return results
