"""dabs domain layer: assets, pools, tapes, classification, projection, deal spec, analytics.

Quants import from here::

    import abs
    deal = abs.load_deal("qingdao-pure")
    print(abs.classify(deal.pool).kind_zh)

Units: money in CNY yuan (float64; integer fen where exactness matters), rates as annual
fractions, dates as ``datetime.date``. ``abs`` never imports ``waterfall``, ``scenarios`` or ``ui``.
"""

from __future__ import annotations

import importlib
from typing import Any

# ``abs.classify`` and ``abs.stratify`` are their modules, made callable by those modules
# (``abs.classify(pool)`` works and so does ``abs.classify.KIND_RANK``).
from abs import classify, stratify
from abs.asset import Asset, Pool
from abs.assumptions import Assumptions, Stress
from abs.cashflows import Collections
from abs.classify import Classification, classify_deal
from abs.deal import Deal
from abs.enums import AssetType, DataLink, DealKind
from abs.errors import DabsError, DealSpecError, TapeError
from abs.io import load_deal, save_deal
from abs.stratify import Stratification, stratify_deal
from abs.tape import read_tape, read_tape_bytes

# Public functions that live in capability modules, imported on first use.
_LAZY: dict[str, str] = {
    "project": "abs.projection",
    "simulate": "abs.projection",
    "expected_asset_table": "abs.projection",
    "data_asset_values": "abs.projection",
    "build_schedule": "abs.calendar",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'abs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Asset",
    "Classification",
    "Stratification",
    "classify",
    "classify_deal",
    "read_tape",
    "read_tape_bytes",
    "stratify",
    "stratify_deal",
    "AssetType",
    "Assumptions",
    "Collections",
    "DabsError",
    "DataLink",
    "Deal",
    "DealKind",
    "DealSpecError",
    "Pool",
    "Stress",
    "TapeError",
    "load_deal",
    "save_deal",
    *_LAZY,
]
