"""The tables of one scenario of a run: 证券兑付表, 现金流归集表 and the tranche summary.

Column names are module constants (Chinese, as structurers and filings read them); the
functions are the bodies of :meth:`WaterfallResult.to_frame` and :meth:`WaterfallResult.summary`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abs import analytics
from abs import cashflows as cf
from abs.enums import FeeType, TrancheClass
from abs.errors import NoYieldError

if TYPE_CHECKING:
    from waterfall.result import WaterfallResult

# 证券兑付表 columns.
COL_TRANCHE = "档位"
COL_PAYMENT_DATE = cf.COL_PAYMENT_DATE
COL_OPENING = "期初本金"
COL_PRINCIPAL = "本金"
COL_INTEREST = "利息"
COL_EXCESS = "超额收益"
COL_CASHFLOW = "现金流"
COL_CLOSING = "期末本金"
COL_SUPPORT = "补充支付"
SECURITIES_COLUMNS: tuple[str, ...] = (
    COL_TRANCHE,
    COL_PAYMENT_DATE,
    COL_OPENING,
    COL_PRINCIPAL,
    COL_INTEREST,
    COL_EXCESS,
    COL_CASHFLOW,
    COL_CLOSING,
    COL_SUPPORT,
)

# 现金流归集表 columns: the pool columns are those of ``abs.cashflows`` (one spelling).
COL_COLLECTION_DATE = cf.COL_COLLECTION_DATE
COL_POOL_OPENING = cf.COL_OPENING_BALANCE
COL_POOL_PRINCIPAL = cf.COL_PRINCIPAL
COL_POOL_INCOME = cf.COL_INTEREST
COL_POOL_CLOSING = cf.COL_CLOSING_BALANCE
COL_DEFAULTS = cf.COL_DEFAULTS
COL_RECOVERIES = cf.COL_RECOVERIES
COL_TOTAL = cf.COL_TOTAL
COL_TAX_DUE = "应缴税费"
COL_TAX_PAID = "实缴税费"
#: Revolving deals add these two (循环购买: price paid, and whether the period revolved).
COL_PURCHASES = "本期循环购买支出"
COL_REVOLVING = "是否循环期"
POOL_COLUMNS: tuple[str, ...] = (
    COL_COLLECTION_DATE,
    COL_PAYMENT_DATE,
    COL_POOL_OPENING,
    COL_POOL_PRINCIPAL,
    COL_POOL_INCOME,
    COL_POOL_CLOSING,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_TOTAL,
    COL_TAX_DUE,
    COL_TAX_PAID,
)

# summary() columns.
SUM_NAME = "档位"
SUM_CLASS = "级别"
SUM_ORIGINAL = "发行规模"
SUM_INTEREST = "利息合计"
SUM_PRINCIPAL = "本金合计"
SUM_SUB_YIELD = "期间收益合计"
SUM_RESIDUAL = "超额收益合计"
SUM_SHORTFALL = "未付合计"
SUM_LOSS = "本金损失"
SUM_SUPPORT = "补充支付合计"
SUM_WAL = "加权平均期限(年)"
SUM_FIRST = "首次还本日"
SUM_LAST = "末次还本日"
SUM_EXPECTED = "预期到期日"
SUM_ACTUAL = "实际到期日"
SUM_YIELD = "收益率"
SUM_IRR = "内部收益率"
SUM_MIN_COV = "最低覆盖倍数（含本金）"
SUMMARY_COLUMNS: tuple[str, ...] = (
    SUM_NAME,
    SUM_CLASS,
    SUM_ORIGINAL,
    SUM_INTEREST,
    SUM_PRINCIPAL,
    SUM_SUB_YIELD,
    SUM_RESIDUAL,
    SUM_SHORTFALL,
    SUM_LOSS,
    SUM_SUPPORT,
    SUM_WAL,
    SUM_FIRST,
    SUM_LAST,
    SUM_EXPECTED,
    SUM_ACTUAL,
    SUM_YIELD,
    SUM_IRR,
    SUM_MIN_COV,
)


def securities_frame(res: WaterfallResult, s: int) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for tr in res.deal.tranches:
        nm = tr.name
        bal = res.balances[nm][s]
        prin = res.principal[nm].paid[s]
        intr = res.interest[nm].paid[s] + res.sub_yield[nm].paid[s]
        exc = res.residual[nm][s]
        sup = res.interest[nm].support[s] + res.principal[nm].support[s]
        for t, d in enumerate(res.payment_dates):
            rows.append(
                {
                    COL_TRANCHE: nm,
                    COL_PAYMENT_DATE: d,
                    COL_OPENING: float(bal[t]),
                    COL_PRINCIPAL: float(prin[t]),
                    COL_INTEREST: float(intr[t]),
                    COL_EXCESS: float(exc[t]),
                    COL_CASHFLOW: float(prin[t] + intr[t] + exc[t]),
                    COL_CLOSING: float(bal[t + 1]),
                    COL_SUPPORT: float(sup[t]),
                }
            )
    return pd.DataFrame(rows, columns=list(SECURITIES_COLUMNS))


def pool_frame(res: WaterfallResult, s: int) -> pd.DataFrame:
    c = res.collections
    closing = c.pool_balance[s]
    opening = np.concatenate(([c.initial_pool_balance], closing[:-1]))
    taxes = [f.name for f in res.deal.fees if f.fee_type is FeeType.TAX]
    tax_due = sum((res.fees[n].due[s] for n in taxes), np.zeros(res.n_periods))
    tax_paid = sum((res.fees[n].paid[s] for n in taxes), np.zeros(res.n_periods))
    frame = pd.DataFrame(
        {
            COL_COLLECTION_DATE: list(c.collection_dates),
            COL_PAYMENT_DATE: list(c.payment_dates),
            COL_POOL_OPENING: opening,
            COL_POOL_PRINCIPAL: c.principal[s],
            COL_POOL_INCOME: c.income[s],
            COL_POOL_CLOSING: closing,
            COL_DEFAULTS: c.defaults[s],
            COL_RECOVERIES: c.recoveries[s],
            COL_TOTAL: c.total[s],
            COL_TAX_DUE: tax_due,
            COL_TAX_PAID: tax_paid,
        },
        columns=list(POOL_COLUMNS),
    )
    rv = res.revolving
    if rv is None:
        return frame
    return frame.assign(
        **{
            COL_PURCHASES: rv.purchases[s],
            COL_REVOLVING: np.where(rv.revolving[s], "是", "否"),
        }
    )


def summary_frame(res: WaterfallResult, scenario: int = 0) -> pd.DataFrame:
    """Per-tranche totals and measures of one scenario (the ``dabs run`` table).

    Columns :data:`SUMMARY_COLUMNS`: totals paid (yuan), shortfall and principal loss,
    support received, WAL (years from closing), principal window, expected and actual final
    dates, yield at par (annual, compounded at the payment frequency, ACT/365F), 次级 IRR
    (pyxirr on actual dates, bought at par at closing) and the lowest 现金流覆盖倍数 of
    everything senior to and including the tranche (scheduled principal included).
    """
    s = scenario
    if not 0 <= s < res.n_scenarios:
        from abs.errors import WaterfallError

        raise WaterfallError(f"summary: scenario {s} out of range 0..{res.n_scenarios - 1}")
    dates = res.payment_dates
    closing = res.deal.dates.closing_date
    freq = res.deal.dates.frequency.per_year
    times = res.year_times()
    rows: list[dict[str, object]] = []
    for tr in res.deal.tranches:
        nm = tr.name
        prin = res.principal[nm].paid[s]
        cash = res.tranche_cash(nm)[s]
        window = analytics.payment_window(prin, dates)
        paid_any = np.flatnonzero(cash > 0.005)
        actual = dates[int(paid_any[-1])] if paid_any.size else None
        wal = float(analytics.wal(prin, times))
        if not float(cash.sum()) > 0.005:
            y = -1.0  # nothing received: everything lost, −100% as in the measures mode
        else:
            try:
                y = analytics.yield_from_price(cash, times, price=tr.balance, frequency=freq or 1)
            except NoYieldError:  # no yield between −99.9% and 1,000% a year: shown as —
                y = float("nan")
        irr = (
            analytics.irr((closing, *dates), np.concatenate(([-tr.balance], cash)))
            if tr.tranche_class is TrancheClass.SUBORDINATED
            else float("nan")
        )
        rows.append(
            {
                SUM_NAME: nm,
                SUM_CLASS: tr.tranche_class.zh,
                SUM_ORIGINAL: tr.balance,
                SUM_INTEREST: float(res.interest[nm].paid[s].sum()),
                SUM_PRINCIPAL: float(prin.sum()),
                SUM_SUB_YIELD: float(res.sub_yield[nm].paid[s].sum()),
                SUM_RESIDUAL: float(res.residual[nm][s].sum()),
                SUM_SHORTFALL: float(res.shortfall(nm)[s]),
                SUM_LOSS: float(res.loss(nm)[s]),
                SUM_SUPPORT: float(
                    res.interest[nm].support[s].sum() + res.principal[nm].support[s].sum()
                ),
                SUM_WAL: wal,
                SUM_FIRST: window[0],
                SUM_LAST: window[1],
                SUM_EXPECTED: tr.expected_maturity_date or res.deal.dates.expected_maturity_date,
                SUM_ACTUAL: actual,
                SUM_YIELD: y,
                SUM_IRR: irr,
                SUM_MIN_COV: float(res.min_coverage(through=nm, include_principal=True)[s]),
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
