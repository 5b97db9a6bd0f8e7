"""Tables of the expected case: per asset and period (资产现金流明细) and data-asset values.

Column names are module constants (Chinese, as the filing and the dashboard show them); money in
yuan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from abs.projection.inputs import MODEL_ZH, MODELS, AssetInputs

FloatArray = npt.NDArray[np.float64]

# expected_asset_table columns
COL_ASSET_ID = "资产编号"
COL_OBLIGOR = "债务人"
COL_KIND = "资产类型"
COL_MODEL = "现金流模型"
COL_PERIOD = "期数"
COL_COLLECTION_DATE = "归集日"
COL_OPENING = "期初余额"
COL_PRINCIPAL_DUE = "本期应收本金"
COL_INCOME_DUE = "本期应收收入"
COL_DEFAULTS = "违约金额"
COL_RECOVERIES = "回收金额"
COL_WRITEDOWNS = "减记金额"
COL_CLOSING = "期末余额"
COL_TOTAL = "回收款合计"
ASSET_TABLE_COLUMNS = (
    COL_ASSET_ID,
    COL_OBLIGOR,
    COL_KIND,
    COL_PERIOD,
    COL_COLLECTION_DATE,
    COL_OPENING,
    COL_PRINCIPAL_DUE,
    COL_INCOME_DUE,
    COL_DEFAULTS,
    COL_RECOVERIES,
    COL_WRITEDOWNS,
    COL_CLOSING,
    COL_TOTAL,
)

# data_asset_values columns
COL_AMOUNT = "入池金额"
COL_METHOD = "评估方法"
COL_APPRAISED = "评估价值"
COL_CONTRACTED = "合同现金流合计"
COL_CONTRACTED_PV = "合同现金流现值"
COL_EXPECTED = "预期现金流合计"
COL_INCOME_VALUE = "收益法价值"
COL_VALUE_GAP = "差异"
COL_VALUE_GAP_PCT = "差异率"
COL_TAIL = "法定到期后现金流"
VALUE_TABLE_COLUMNS = (
    COL_ASSET_ID,
    COL_OBLIGOR,
    COL_KIND,
    COL_MODEL,
    COL_AMOUNT,
    COL_METHOD,
    COL_APPRAISED,
    COL_CONTRACTED,
    COL_CONTRACTED_PV,
    COL_EXPECTED,
    COL_INCOME_VALUE,
    COL_VALUE_GAP,
    COL_VALUE_GAP_PCT,
    COL_TAIL,
)


@dataclass(frozen=True, eq=False)
class AssetFlows:
    """Expected flows per asset and period (N, T) after credit and delay (yuan).

    ``principal`` includes recoveries; ``opening``/``closing`` are the asset's balance
    (期初/期末余额): opening − (principal − recoveries) − defaults − writedowns = closing.
    """

    total: FloatArray
    principal: FloatArray
    income: FloatArray
    defaults: FloatArray
    recoveries: FloatArray
    writedowns: FloatArray
    opening: FloatArray
    closing: FloatArray


def asset_table(
    inputs: AssetInputs, collection_dates: tuple[object, ...], flows: AssetFlows
) -> pd.DataFrame:
    """The long table (one row per asset and period, :data:`ASSET_TABLE_COLUMNS`)."""
    n, t = flows.total.shape
    codes = np.repeat(np.arange(n), t)

    def cat(labels: list[str]) -> pd.Series:
        uniq, inverse = np.unique(np.array(labels, dtype=object), return_inverse=True)
        return pd.Series(
            pd.Categorical.from_codes(inverse[codes], dtype=pd.CategoricalDtype(list(uniq)))
        )

    date_col = pd.Series(
        pd.Categorical.from_codes(
            np.tile(np.arange(t), n), dtype=pd.CategoricalDtype(list(collection_dates))
        )
    )
    return pd.DataFrame(
        {
            COL_ASSET_ID: cat(list(inputs.ids)),
            COL_OBLIGOR: cat(list(inputs.obligors)),
            COL_KIND: cat([k.zh for k in inputs.kinds]),
            COL_PERIOD: np.tile(np.arange(1, t + 1), n),
            COL_COLLECTION_DATE: date_col,
            COL_OPENING: flows.opening.ravel(),
            COL_PRINCIPAL_DUE: (flows.principal - flows.recoveries).ravel(),
            COL_INCOME_DUE: flows.income.ravel(),
            COL_DEFAULTS: flows.defaults.ravel(),
            COL_RECOVERIES: flows.recoveries.ravel(),
            COL_WRITEDOWNS: flows.writedowns.ravel(),
            COL_CLOSING: flows.closing.ravel(),
            COL_TOTAL: flows.total.ravel(),
        }
    )


def value_table(
    inputs: AssetInputs,
    *,
    contracted_total: FloatArray,
    contracted_pv: FloatArray,
    expected_total: FloatArray,
    expected_pv: FloatArray,
    tail: FloatArray,
    attribution: float,
) -> pd.DataFrame:
    """Income-approach values of the direct data assets (:data:`VALUE_TABLE_COLUMNS`)."""
    rows = []
    for i in np.flatnonzero(inputs.direct):
        value = attribution * float(expected_pv[i])
        appraised_raw = float(inputs.appraised_value[i])
        appraised = None if np.isnan(appraised_raw) else appraised_raw
        rows.append(
            {
                COL_ASSET_ID: inputs.ids[i],
                COL_OBLIGOR: inputs.obligors[i],
                COL_KIND: inputs.kinds[i].zh,
                COL_MODEL: MODEL_ZH[MODELS[int(inputs.model_code[i])]],
                COL_AMOUNT: float(inputs.amount[i]),
                COL_METHOD: inputs.valuation_method[i],
                COL_APPRAISED: appraised,
                COL_CONTRACTED: float(contracted_total[i]),
                COL_CONTRACTED_PV: float(contracted_pv[i]),
                COL_EXPECTED: float(expected_total[i]),
                COL_INCOME_VALUE: value,
                COL_VALUE_GAP: None if appraised is None else value - appraised,
                COL_VALUE_GAP_PCT: (None if not appraised else (value - appraised) / appraised),
                COL_TAIL: float(tail[i]),
            }
        )
    return pd.DataFrame(rows, columns=list(VALUE_TABLE_COLUMNS))
