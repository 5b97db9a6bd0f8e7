"""Collections projection (现金流预测): the pool's cash per collection period, expected or by path.

Pipeline (``docs/projection.md``):

1. :func:`abs.calendar.build_schedule` gives the collection periods (计算日 grid).
2. :class:`PoolModel` (built once per pool, dates and assumptions; :func:`pool_model` keeps it in
   a small cache keyed by content) lays out each asset's contracted cash from its kind's model in
   :mod:`abs.revenue`, on its own contract payment dates, summed into collection periods, and
   the contract balance schedule.
3. A stress is a case of the model (:meth:`PoolModel.case`): the revenue haircut scales cash,
   the PD multiplier, recovery haircut, delay and renewal change act in the credit step, and a
   volume shock or price-decline change recomputes only the usage-driven models.
4. Credit: annual PD → survival S(τ) = (1 − pd)^τ on the 计算日 clock (τ in ACT/365F years from
   the cut-off); a default in period t stops the asset's cash from period t on, writes off its
   balance at the start of t, and brings ``recovery × balance`` ``recovery_lag`` periods later.
   The expected case multiplies by survival; stochastic paths draw default times from a
   one-factor Gaussian copula (only the defaulters) and pool-level lognormal usage shocks.
5. ``collection_delay`` moves collected cash later by whole periods (cash pushed past the last
   period lands in the last period).

Public API: :class:`PoolModel`, :class:`PoolCase`, :func:`pool_model`, :func:`model_key`,
:func:`project`, :func:`simulate`, :func:`expected_asset_table`, :func:`pool_cashflow_table`,
:func:`data_asset_values`, :func:`pv_by_asset`.

Units: yuan; annual rates; periods of the deal's schedule.
"""

from abs.projection.api import (
    base_forecast,
    data_asset_values,
    expected_asset_table,
    pool_cashflow_table,
    project,
    pv_by_asset,
    simulate,
)
from abs.projection.contracts import AssetValues, PeriodArrays
from abs.projection.inputs import (
    DEFAULT_AMORTIZATION,
    DEFAULT_PAYMENT_FREQUENCY,
    MODEL_ALGORITHM,
    MODEL_AMORTIZING,
    MODEL_EVEN,
    MODEL_LICENCE,
    MODEL_SHARE,
    MODEL_USAGE,
    MODEL_ZH,
    MODELS,
    RENEWABLE_TYPES,
    AssetInputs,
    asset_inputs,
)
from abs.projection.model import (
    BALANCE_EPSILON,
    CASE_CACHE_SIZE,
    MODEL_CACHE_SIZE,
    PROJECTION_FIELDS,
    PoolCase,
    PoolModel,
    case_key,
    clear_model_cache,
    model_key,
    pool_model,
)
from abs.projection.paths import PATH_BLOCK_SIZE, PathPlan, path_block_size
from abs.projection.tables import (
    ASSET_TABLE_COLUMNS,
    COL_AMOUNT,
    COL_APPRAISED,
    COL_ASSET_ID,
    COL_CLOSING,
    COL_COLLECTION_DATE,
    COL_CONTRACTED,
    COL_CONTRACTED_PV,
    COL_DEFAULTS,
    COL_EXPECTED,
    COL_INCOME_DUE,
    COL_INCOME_VALUE,
    COL_KIND,
    COL_METHOD,
    COL_MODEL,
    COL_OBLIGOR,
    COL_OPENING,
    COL_PERIOD,
    COL_PRINCIPAL_DUE,
    COL_RECOVERIES,
    COL_TAIL,
    COL_TOTAL,
    COL_VALUE_GAP,
    COL_VALUE_GAP_PCT,
    COL_WRITEDOWNS,
    VALUE_TABLE_COLUMNS,
    AssetFlows,
)

__all__ = [
    "ASSET_TABLE_COLUMNS",
    "BALANCE_EPSILON",
    "CASE_CACHE_SIZE",
    "COL_AMOUNT",
    "COL_APPRAISED",
    "COL_ASSET_ID",
    "COL_CLOSING",
    "COL_COLLECTION_DATE",
    "COL_CONTRACTED",
    "COL_CONTRACTED_PV",
    "COL_DEFAULTS",
    "COL_EXPECTED",
    "COL_INCOME_DUE",
    "COL_INCOME_VALUE",
    "COL_KIND",
    "COL_METHOD",
    "COL_MODEL",
    "COL_OBLIGOR",
    "COL_OPENING",
    "COL_PERIOD",
    "COL_PRINCIPAL_DUE",
    "COL_RECOVERIES",
    "COL_TAIL",
    "COL_TOTAL",
    "COL_VALUE_GAP",
    "COL_VALUE_GAP_PCT",
    "COL_WRITEDOWNS",
    "DEFAULT_AMORTIZATION",
    "DEFAULT_PAYMENT_FREQUENCY",
    "MODELS",
    "MODEL_ALGORITHM",
    "MODEL_AMORTIZING",
    "MODEL_CACHE_SIZE",
    "MODEL_EVEN",
    "MODEL_LICENCE",
    "MODEL_SHARE",
    "MODEL_USAGE",
    "MODEL_ZH",
    "PATH_BLOCK_SIZE",
    "PROJECTION_FIELDS",
    "RENEWABLE_TYPES",
    "VALUE_TABLE_COLUMNS",
    "AssetFlows",
    "AssetInputs",
    "AssetValues",
    "PathPlan",
    "PeriodArrays",
    "PoolCase",
    "PoolModel",
    "asset_inputs",
    "base_forecast",
    "case_key",
    "clear_model_cache",
    "data_asset_values",
    "expected_asset_table",
    "model_key",
    "path_block_size",
    "pool_cashflow_table",
    "pool_model",
    "project",
    "pv_by_asset",
    "simulate",
]
