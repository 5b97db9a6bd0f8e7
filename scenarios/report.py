"""The base-case report: one run of a deal, reduced once to every number the surfaces show.

The dashboard pages (现金流, 结构设计), ``dabs run`` (table and ``--json``) and the filing
workbook read their base-case numbers from :func:`base_report`, so a number has one definition
(``docs/analytics.md``) and one value everywhere. Streamlit-free: the dashboard wraps it in a
cache (:mod:`ui.engine`), the CLI calls it directly.

Definitions (labels in :data:`LABELS`, the same words on every surface):

* **yield** (收益率): at par, compounded at the deal's payment frequency, ACT/365F from closing
  (``WaterfallResult.summary``; the stress grid reports the same convention).
* **现金流覆盖倍数, interest only** (仅利息): available funds / (taxes + fees + interest due of
  the tranche and those senior to it), per period; the minimum over the periods the covered
  tranches are outstanding.
* **现金流覆盖倍数, incl. principal** (含本金): the same with scheduled principal due added to
  the obligations. This is the headline ``min_coverage`` of ``dabs run`` and the JSON.
* **support dependence** (依赖增信): the seniors are paid in full only because the reserve,
  差额支付 or the guarantee paid something (:attr:`BaseReport.support_needed`): a base case
  that rests on support is shown as such, never as a plain pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abs.assumptions import Stress
from abs.cashflows import Collections
from abs.deal import Deal
from abs.enums import TrancheClass

#: Label of each measure: key → (中文, English). Every surface uses these words.
LABELS: dict[str, tuple[str, str]] = {
    "yield": ("收益率", "Yield"),
    "min_coverage": ("最低覆盖倍数（含本金）", "Min coverage incl. principal"),
    "min_coverage_interest": ("最低覆盖倍数（仅利息）", "Min coverage, interest only"),
    "life_coverage": ("全周期覆盖倍数（含本金）", "Life coverage incl. principal"),
    "life_coverage_interest": ("全周期覆盖倍数（仅利息）", "Life coverage, interest only"),
    "coverage": ("覆盖倍数（仅利息）", "Coverage, interest only"),
    "coverage_with_principal": ("覆盖倍数（含本金）", "Coverage incl. principal"),
    "support_needed": ("优先级依赖增信足额兑付", "Seniors paid in full only with support"),
}

#: Columns of :attr:`BaseReport.support` (amounts in yuan).
SUPPORT_COLUMNS = (
    "reserve_balance",
    "reserve_draw",
    "commitment_draw",
    "guarantee_draw",
    "commitment_repaid",
    "guarantee_repaid",
)

#: Columns of :attr:`BaseReport.coverage`.
COV_SENIOR = "senior"
COV_SENIOR_PRINCIPAL = "senior_with_principal"

#: Draws below half a fen are rounding, not support.
_EPS = 0.005


@dataclass(frozen=True)
class BaseReport:
    """One scenario of a deal, reduced to what every surface shows (amounts in yuan).

    Attributes
    ----------
    deal_name, scenario, collections_source : str
        What ran: the deal, the scenario's name (基准 for the base case) and where the
        collections came from (``projection`` or a CSV path).
    summary : DataFrame
        ``WaterfallResult.summary()``: one row per tranche (yield in the one convention;
        ``最低覆盖倍数`` is the incl.-principal minimum through the tranche).
    tranche_min_coverage_interest, tranche_life_coverage : dict of str to float
        Per tranche: interest-only minimum and incl.-principal life-of-deal coverage through it.
    securities, pool : DataFrame
        证券兑付表 and 现金流归集表 (``WaterfallResult.to_frame``).
    balances : DataFrame
        Tranche balances at closing and after each payment date (rows) per tranche (columns).
    interest, principal : DataFrame
        Interest (incl. 期间收益 and residual) and principal paid per payment date per tranche.
    coverage : DataFrame
        Senior 现金流覆盖倍数 per payment date: :data:`COV_SENIOR` (interest only) and
        :data:`COV_SENIOR_PRINCIPAL` (incl. principal), NaN once the seniors are repaid.
    coverage_detail : DataFrame
        Per payment date: ``available``, ``obligations``, ``obligations_with_principal`` and
        ``outstanding`` (the seniors have a balance at period start).
    durations : dict
        Tranche name → (Macaulay, modified) duration in years at its own yield.
    events : DataFrame
        Event state (bool) per payment date (rows) per event type value (columns).
    events_fired : list of dict
        ``WaterfallResult.events_fired()``.
    support : DataFrame
        Payment dates where the reserve, 差额支付 or the guarantee paid or was repaid;
        columns :data:`SUPPORT_COLUMNS`.
    support_draws, support_reimbursed : dict of str to float
        Totals over the life of the deal by source (reserve, shortfall_commitment, guarantee).
    seniors_paid : bool
        Every senior tranche was paid in full (no missed interest or principal, no loss).
    support_needed : bool
        ``seniors_paid`` and some support was drawn: the base case rests on support.
    senior_min_coverage, senior_min_coverage_interest, senior_life_coverage : float
        Lowest senior coverage (incl. principal / interest only) and the incl.-principal
        life-of-deal coverage.
    cash_left : float
        Cash left in the deal after the last payment date.
    conserved : bool
        The engine's cash-conservation check passed.
    max_conservation_gap : float
        Largest |cash in − cash out| of any period (yuan).
    n_periods : int
        Payment periods.
    revolving : RevolvingLines or None
        The run's revolving lines (``WaterfallResult.revolving``; None for a static deal).
    """

    deal_name: str
    scenario: str
    collections_source: str
    summary: pd.DataFrame
    tranche_min_coverage_interest: dict[str, float]
    tranche_life_coverage: dict[str, float]
    securities: pd.DataFrame
    pool: pd.DataFrame
    balances: pd.DataFrame
    interest: pd.DataFrame
    principal: pd.DataFrame
    coverage: pd.DataFrame
    coverage_detail: pd.DataFrame
    durations: dict[str, tuple[float, float]]
    events: pd.DataFrame
    events_fired: list[dict[str, object]]
    support: pd.DataFrame
    support_draws: dict[str, float]
    support_reimbursed: dict[str, float]
    seniors_paid: bool
    support_needed: bool
    senior_min_coverage: float
    senior_min_coverage_interest: float
    senior_life_coverage: float
    cash_left: float
    conserved: bool
    max_conservation_gap: float
    n_periods: int
    revolving: Any = None


def label(key: str, lang: str = "zh") -> str:
    """The label of measure ``key`` in ``lang`` (``zh`` or ``en``)."""
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def _support_frame(result: Any, dates: list[Any]) -> pd.DataFrame:
    """Draws and repayments of scenario 0 on the payment dates where there are any."""
    from waterfall.result import SOURCE_COMMITMENT, SOURCE_GUARANTEE, SOURCE_RESERVE

    frame = pd.DataFrame(
        {
            "reserve_balance": result.reserve_balance[0, 1:],
            "reserve_draw": result.draws[SOURCE_RESERVE][0],
            "commitment_draw": result.draws[SOURCE_COMMITMENT][0],
            "guarantee_draw": result.draws[SOURCE_GUARANTEE][0],
            "commitment_repaid": result.reimbursements[SOURCE_COMMITMENT][0],
            "guarantee_repaid": result.reimbursements[SOURCE_GUARANTEE][0],
        },
        index=pd.Index(dates, name="兑付日"),
    )
    moving = frame[list(SUPPORT_COLUMNS[1:])].abs().sum(axis=1) > _EPS
    return frame[moving]


def seniors_paid_in_full(deal: Deal, result: Any, scenario: int = 0) -> bool:
    """Every senior tranche paid in full in ``scenario`` (the break-even pass test)."""
    from scenarios.runner import missed_payments

    for tr in deal.tranches:
        if tr.tranche_class is not TrancheClass.SENIOR:
            continue
        lost = result.loss(tr.name)
        if bool(missed_payments(deal, result, tr.name, lost=lost)[scenario].any()):
            return False
    return True


def base_report(
    deal: Deal,
    *,
    stress: Stress | None = None,
    scenario: str = "基准",
    collections: Collections | None = None,
    collections_source: str = "projection",
) -> BaseReport:
    """Run one scenario of ``deal`` (its own base case by default) and reduce it once.

    Parameters
    ----------
    deal : Deal
        The deal (with its pool unless ``collections`` are given).
    stress : Stress, optional
        The scenario's stress; the deal's base adjustments by default
        (:func:`scenarios.runner.deal_base`).
    scenario : str
        Its name as shown (基准 for the base case).
    collections : Collections, optional
        Collections to use instead of the projection (``dabs run --collections``).
    collections_source : str
        Where ``collections`` came from (shown by ``dabs run``).
    """
    import waterfall
    from abs import analytics
    from abs.projection import project
    from scenarios.runner import deal_base
    from waterfall.tables import SUM_NAME, SUM_YIELD

    st = deal_base(deal, stress)
    coll = project(deal, stress=st) if collections is None else collections
    result = waterfall.run(
        deal,
        coll,
        rate_shift_bp=st.rate_shift_bp,
        originator_default=st.originator_default,
        guarantor_default=st.guarantor_default,
    )
    dates = list(result.payment_dates)
    names = [tr.name for tr in deal.tranches]
    summary = result.summary()
    times = result.year_times()
    freq = deal.dates.frequency.per_year or 1
    durations: dict[str, tuple[float, float]] = {}
    for _, row in summary.iterrows():
        name = str(row[SUM_NAME])
        y = float(row[SUM_YIELD])
        cash = result.tranche_cash(name)[0]
        if y == y and cash.sum() > 0:  # a yield exists (not NaN)
            durations[name] = (
                float(analytics.macaulay_duration(cash, times, y, frequency=freq)),
                float(analytics.modified_duration(cash, times, y, frequency=freq)),
            )
    live = result.outstanding()[0]
    cov = np.where(live, result.coverage()[0], np.nan)
    cov_p = np.where(live, result.coverage(include_principal=True)[0], np.nan)
    draws = {k: float(v[0].sum()) for k, v in result.draws.items()}
    paid = seniors_paid_in_full(deal, result)
    index = pd.Index(dates, name="兑付日")
    return BaseReport(
        deal_name=deal.name,
        scenario=scenario,
        collections_source=collections_source,
        summary=summary,
        tranche_min_coverage_interest={n: float(result.min_coverage(through=n)[0]) for n in names},
        tranche_life_coverage={
            n: float(result.life_coverage(through=n, include_principal=True)[0]) for n in names
        },
        securities=result.to_frame(0, "securities"),
        pool=result.to_frame(0, "pool"),
        balances=pd.DataFrame(
            {n: result.balances[n][0] for n in names},
            index=pd.Index([deal.dates.closing_date, *dates], name="兑付日"),
        ),
        interest=pd.DataFrame(
            {
                n: result.interest[n].paid[0] + result.sub_yield[n].paid[0] + result.residual[n][0]
                for n in names
            },
            index=index,
        ),
        principal=pd.DataFrame({n: result.principal[n].paid[0] for n in names}, index=index),
        coverage=pd.DataFrame({COV_SENIOR: cov, COV_SENIOR_PRINCIPAL: cov_p}, index=index),
        coverage_detail=pd.DataFrame(
            {
                "available": result.available[0],
                "obligations": result.obligations()[0],
                "obligations_with_principal": result.obligations(include_principal=True)[0],
                "outstanding": live,
            },
            index=index,
        ),
        durations=durations,
        events=pd.DataFrame({ev.value: on[0] for ev, on in result.events.items()}, index=index),
        events_fired=result.events_fired(0),
        support=_support_frame(result, dates),
        support_draws=draws,
        support_reimbursed={k: float(v[0].sum()) for k, v in result.reimbursements.items()},
        seniors_paid=paid,
        support_needed=paid and any(v > _EPS for v in draws.values()),
        senior_min_coverage=float(result.min_coverage(include_principal=True)[0]),
        senior_min_coverage_interest=float(result.min_coverage()[0]),
        senior_life_coverage=float(result.life_coverage(include_principal=True)[0]),
        cash_left=float(result.carried_out[0, -1]),
        conserved=bool(result.conserved),
        max_conservation_gap=float(result.max_conservation_gap),
        n_periods=int(result.n_periods),
        revolving=result.revolving,
    )


__all__ = [
    "COV_SENIOR",
    "COV_SENIOR_PRINCIPAL",
    "LABELS",
    "SUPPORT_COLUMNS",
    "BaseReport",
    "base_report",
    "label",
    "seniors_paid_in_full",
]
