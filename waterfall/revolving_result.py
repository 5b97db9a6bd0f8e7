"""The revolving part of a full result (循环购买): purchases, idle cash, pool, kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from abs.enums import DealKind
from abs.kind_over_life import KIND_CODES, KindOverLife, kind_over_life
from waterfall.compile import BoolArray, FloatArray

#: Column names of :meth:`RevolvingLines.to_frame` (循环购买明细).
COL_PAYMENT_DATE = "兑付日"
COL_REVOLVING = "是否循环期"
COL_SET_ASIDE = "可用于循环购买资金"
COL_PURCHASE = "循环购买金额"
COL_PURCHASE_DATA = "其中数据资产"
COL_RATE = "循环购买率"
COL_IDLE = "闲置资金"
COL_IDLE_INTEREST = "闲置资金利息"
COL_NEGATIVE_CARRY = "负利差"
COL_POOL = "资产池余额"
COL_DATA = "数据资产余额"
COL_SHARE = "数据资产占比"
COL_KIND = "产品类型"
COL_IN_BAND = "是否维持发行类型"


@dataclass(frozen=True)
class RevolvingLines:
    """Per scenario and period (S, T), money in yuan.

    Attributes
    ----------
    purchases, purchases_data : ndarray
        循环购买金额 (price paid) and its data-linked part.
    set_aside : ndarray
        Cash the revolve steps set aside for purchases (principal collections and idle cash).
    idle : ndarray
        闲置资金 after the period (set aside, no eligible asset); released into the next
        period's available funds with ``idle_interest`` (account rate).
    negative_carry : ndarray
        That idle cash's cost at the notes' weighted coupon less the interest it earned
        (booked in the period it is released).
    revolving : bool ndarray
        The revolving period ran (before its end, no 提前摊还事件, no acceleration).
    pool_balance, data_balance : ndarray
        Pool balance (initial pool + purchased assets) and its data-linked part after the
        period's purchases; ``data_balance`` is NaN when the collections carry no data-linked
        balance of the initial pool.
    purchased_collections, purchased_income, purchased_defaults : ndarray
        What the purchased assets brought (part of the result's collections).
    """

    purchases: FloatArray
    purchases_data: FloatArray
    set_aside: FloatArray
    idle: FloatArray
    idle_interest: FloatArray
    negative_carry: FloatArray
    revolving: BoolArray
    pool_balance: FloatArray
    data_balance: FloatArray
    purchased_collections: FloatArray
    purchased_income: FloatArray
    purchased_defaults: FloatArray
    issued_kind: DealKind
    opening_balances: tuple[FloatArray, ...]  # (S, T) per tranche, at the start of each period

    @cached_property
    def alive(self) -> BoolArray:
        """Securities outstanding at the start of each period (S, T)."""
        total = np.zeros(self.purchases.shape)
        for b in self.opening_balances:
            total += b
        return np.asarray(total > 0.005)

    @property
    def idle_release(self) -> FloatArray:
        """Idle cash released into available funds (the idle balance of the period before)."""
        out = np.zeros_like(self.idle)
        out[:, 1:] = self.idle[:, :-1]
        return out

    @property
    def rate(self) -> FloatArray:
        """循环购买率: purchases / cash set aside (NaN where nothing was set aside)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.set_aside > 0.005, self.purchases / self.set_aside, np.nan)

    @property
    def has_data(self) -> bool:
        """The data-linked balance of the initial pool is known."""
        return bool(np.all(np.isfinite(self.data_balance)))

    def kind_over_life(self, *, declared: bool = False) -> KindOverLife:
        """Data-linked share and kind per period (integer fen, as at issuance)."""
        return kind_over_life(
            self.pool_balance,
            np.nan_to_num(self.data_balance),
            self.alive,
            issued=self.issued_kind,
            declared=declared,
        )

    def to_frame(self, scenario: int = 0, *, lang: str = "zh") -> pd.DataFrame:
        """循环购买明细 of one scenario: one row per period."""
        s = scenario
        kol = self.kind_over_life()
        kinds = [
            "" if c < 0 else (KIND_CODES[c].zh if lang == "zh" else KIND_CODES[c].value)
            for c in kol.kind[s]
        ]
        return pd.DataFrame(
            {
                COL_REVOLVING: self.revolving[s],
                COL_SET_ASIDE: self.set_aside[s],
                COL_PURCHASE: self.purchases[s],
                COL_PURCHASE_DATA: self.purchases_data[s],
                COL_RATE: self.rate[s],
                COL_IDLE: self.idle[s],
                COL_IDLE_INTEREST: self.idle_interest[s],
                COL_NEGATIVE_CARRY: self.negative_carry[s],
                COL_POOL: self.pool_balance[s],
                COL_DATA: self.data_balance[s],
                COL_SHARE: kol.share[s],
                COL_KIND: kinds,
                COL_IN_BAND: ~kol.out_of_band[s],
            }
        )
