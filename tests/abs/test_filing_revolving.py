"""Filing tables of a revolving deal: 现金流归集表 columns and the 产品概要 revolving section."""

from __future__ import annotations

import numpy as np

import abs
import waterfall
from abs.filing.sheets import deal_summary_sheet, pool_cashflow_sheet


def test_pool_cashflow_sheet_has_the_purchases_and_the_revolving_flag() -> None:
    deal = abs.load_deal("scf-revolving-labelled")
    res = waterfall.run(deal, abs.project(deal))
    frame = res.to_frame(0, "pool")
    assert res.revolving is not None
    np.testing.assert_array_equal(frame["本期循环购买支出"], res.revolving.purchases[0])
    assert frame["是否循环期"].tolist()[:13] == ["是"] * 12 + ["否"]
    sheet = pool_cashflow_sheet(frame)
    labels = [c.label for c in sheet.blocks[0].columns]
    assert labels[-2:] == ["本期循环购买支出", "是否循环期"]
    # a static deal's table is unchanged
    static = abs.load_deal("rugao-labelled")
    cols = waterfall.run(static, abs.project(static)).to_frame(0, "pool").columns
    assert "本期循环购买支出" not in cols and "是否循环期" not in cols


def test_deal_summary_has_a_revolving_section() -> None:
    deal = abs.load_deal("scf-revolving-labelled")
    sheet = deal_summary_sheet(
        deal,
        classification={"kind_zh": "贴标型", "data_share": 0.5105, "basis": "balance"},
    )
    block = next(b for b in sheet.blocks if b.key == "revolving")
    rows = dict(block.rows)
    assert rows["循环期"] == "首个兑付日起12期"
    assert rows["合格标准·最长合同期限"] == "6个月"
    assert rows["合格标准·单一债务人占比上限"] == "15.00%（按购买日未偿余额）"
    assert (
        rows["存续期产品类型要求"]
        == "维持贴标型（数据资产关联占比按每期购买后的资产池余额逐期计算）"
    )
    assert "循环购买率连续2期低于50%" in str(rows["提前摊还事件"])
    assert rows["购买时维持产品类型"] == "否"
    static = deal_summary_sheet(
        abs.load_deal("rugao-labelled"),
        classification={"kind_zh": "贴标型", "data_share": 0.5046, "basis": "balance"},
    )
    assert all(b.key != "revolving" for b in static.blocks)
