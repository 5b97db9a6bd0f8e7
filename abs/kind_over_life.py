"""The deal kind held over the life of a revolving deal (存续期数据资产占比).

A deal issued as 纯数据型 (≥ 70%) or 贴标型 (≥ 50%) must still be one after months of
revolving purchases. After each period's purchases the data-linked share of the pool is
recomputed with the issuance rule — integer fen, ``100 × linked ≥ 70 × total`` — so a purchase
that takes the share to exactly 70.00% keeps 纯数据型 (``docs/revolving.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from abs.classify import LABELLED_MIN_PCT, PURE_MIN_PCT, classify_deal
from abs.deal import Deal
from abs.enums import DealKind
from abs.errors import DealSpecError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: "No upper bound" of a band (a share is at most 100%).
NO_UPPER_PCT = 1000

#: Kind code per period in :class:`KindOverLife` (−1: no pool or no securities left).
KIND_CODES: tuple[DealKind, ...] = (
    DealKind.NOT_DABS,
    DealKind.ENABLED,
    DealKind.LABELLED,
    DealKind.PURE,
)


def kind_band(kind: DealKind) -> tuple[int, int]:
    """``(lo, hi)`` in percent: a share is in the kind's band when ``100·linked ≥ lo·total``
    and ``100·linked < hi·total``.

    Examples
    --------
    >>> kind_band(DealKind.PURE), kind_band(DealKind.LABELLED)
    ((70, 1000), (50, 70))
    """
    if kind is DealKind.PURE:
        return PURE_MIN_PCT, NO_UPPER_PCT
    if kind is DealKind.LABELLED:
        return LABELLED_MIN_PCT, PURE_MIN_PCT
    if kind is DealKind.ENABLED:
        return 0, LABELLED_MIN_PCT
    return 0, NO_UPPER_PCT  # not a DABS: no band to hold


def issued_kind(deal: Deal) -> DealKind:
    """The kind the deal must hold: ``revolving.issued_kind``, else its pool's kind.

    Raises
    ------
    DealSpecError
        A revolving deal with neither ``revolving.issued_kind`` nor a pool.
    """
    rv = deal.revolving
    if rv is not None and rv.issued_kind is not None:
        return rv.issued_kind
    if deal.pool is None:
        raise DealSpecError(
            f"deal {deal.name}: revolving deal without a pool: set revolving.issued_kind (the "
            "kind to hold over the life: pure, labelled, enabled)"
        )
    return classify_deal(deal).kind


def to_fen(x: npt.ArrayLike) -> IntArray:
    """Yuan amounts as integer fen (half up, as the tape reader)."""
    return np.floor(np.asarray(x, dtype=np.float64) * 100.0 + 0.5).astype(np.int64)


def kind_codes(linked_fen: IntArray, total_fen: IntArray, *, declared: bool) -> IntArray:
    """Kind per cell by the issuance rule on integer fen (index into :data:`KIND_CODES`;
    −1 where the pool is empty)."""
    lf = np.asarray(linked_fen, dtype=np.int64)
    tf = np.asarray(total_fen, dtype=np.int64)
    out = np.where(lf > 0, 1, 1 if declared else 0).astype(np.int64)
    out = np.where(100 * lf >= LABELLED_MIN_PCT * tf, 2, out)
    out = np.where(100 * lf >= PURE_MIN_PCT * tf, 3, out)
    return np.where(tf > 0, out, -1)


def in_band(linked_fen: IntArray, total_fen: IntArray, kind: DealKind) -> npt.NDArray[np.bool_]:
    """Whether each share is in ``kind``'s band (empty pools count as in band)."""
    lo, hi = kind_band(kind)
    lf = np.asarray(linked_fen, dtype=np.int64)
    tf = np.asarray(total_fen, dtype=np.int64)
    ok = (100 * lf >= lo * tf) & (100 * lf < hi * tf)
    return np.asarray(ok | (tf <= 0), dtype=np.bool_)


@dataclass(frozen=True)
class KindOverLife:
    """Data-linked share and kind per scenario and period, after each period's purchases.

    Attributes
    ----------
    issued : DealKind
        The kind the deal must hold.
    pool_balance, data_balance : ndarray (S, T)
        Pool balance and its data-linked part (yuan) after the period's purchases.
    share : ndarray (S, T)
        ``data_balance / pool_balance`` (for display; decisions use the integers); NaN where
        the pool is empty.
    kind : ndarray (S, T) of int
        Index into :data:`KIND_CODES` (−1: pool empty or securities repaid).
    out_of_band : ndarray (S, T) of bool
        The share is outside the issued kind's band while securities are outstanding.
    first_out : ndarray (S,) of int
        First period out of band (−1: never).
    """

    issued: DealKind
    pool_balance: FloatArray
    data_balance: FloatArray
    share: FloatArray
    kind: IntArray
    out_of_band: npt.NDArray[np.bool_]
    first_out: IntArray

    @property
    def share_out_of_band(self) -> float:
        """Share of scenarios that leave the band at some period (Monte Carlo)."""
        return float(np.mean(self.first_out >= 0)) if self.first_out.size else 0.0


def kind_over_life(
    pool_balance: FloatArray,
    data_balance: FloatArray,
    alive: npt.NDArray[np.bool_],
    *,
    issued: DealKind,
    declared: bool = False,
) -> KindOverLife:
    """The kind report of (S, T) pool and data-linked balances; ``alive`` marks the periods
    that start with securities outstanding (only those count)."""
    pf, lf = to_fen(pool_balance), to_fen(data_balance)
    lf = np.minimum(np.maximum(lf, 0), np.maximum(pf, 0))
    codes = np.where(alive, kind_codes(lf, pf, declared=declared), -1)
    out = alive & ~in_band(lf, pf, issued)
    first = np.where(out.any(axis=1), out.argmax(axis=1), -1).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pf > 0, lf / np.where(pf > 0, pf, 1), np.nan)
    return KindOverLife(
        issued=issued,
        pool_balance=np.asarray(pool_balance, dtype=np.float64),
        data_balance=np.asarray(data_balance, dtype=np.float64),
        share=share,
        kind=codes,
        out_of_band=out,
        first_out=first,
    )
