"""Structure diff: field labels in Chinese, money in 万元, rates in %, named items, pools."""

from __future__ import annotations

import pandas as pd
import pytest

from abs.deal import Fee
from abs.io import load_deal
from abs.library.diff import diff_deals, format_value, measure_changes, pool_changes


@pytest.fixture(scope="module")
def qingdao():  # type: ignore[no-untyped-def]
    return load_deal("qingdao-pure")


def test_identical_deals_have_no_changes(qingdao) -> None:  # type: ignore[no-untyped-def]
    d = diff_deals(qingdao, qingdao)
    assert d.unchanged and d.changes == () and d.to_frame().empty


def test_money_rate_and_named_items(qingdao) -> None:  # type: ignore[no-untyped-def]
    a1, a2, sub = qingdao.tranches
    new = qingdao.model_copy(
        update={
            "tranches": (
                a1,
                a2.model_copy(update={"coupon": a2.coupon.model_copy(update={"rate": 0.0265})}),
                sub.model_copy(update={"balance": 55_000_000.0}),
            ),
            "fees": (*qingdao.fees, Fee(name="审计费", fee_type="fixed", amount=30_000.0)),
        }
    )
    d = diff_deals(qingdao, new, a="qd@1", b="qd@2")
    rows = [(c.path, c.label_zh, c.change, c.old_text, c.new_text, c.delta_text) for c in d.changes]
    assert rows[0] == (
        "tranches[优先A2].coupon.rate",
        "档位 优先A2 票面利率",
        "修改 changed",
        "2.5%",
        "2.65%",
        "+15 bp",
    )
    assert rows[1] == (
        "tranches[次级].balance",
        "档位 次级 发行规模",
        "修改 changed",
        "5,000.00 万元",
        "5,500.00 万元",
        "+500.00 万元",
    )
    added = rows[2]
    assert added[0] == "fees[审计费]" and added[2] == "新增 added"
    assert "amount: 3.00 万元" in added[4]
    frame = d.to_frame()
    assert list(frame.columns) == ["字段", "field", "change", "qd@1", "qd@2", "变化 delta"]


def test_target_balances_change_per_period(qingdao) -> None:  # type: ignore[no-untyped-def]
    a1 = qingdao.tranches[0]
    targets = list(a1.target_balances)
    targets[2] = 100_000_000.0
    new = qingdao.model_copy(
        update={
            "tranches": (
                a1.model_copy(update={"target_balances": tuple(targets)}),
                *qingdao.tranches[1:],
            )
        }
    )
    (change,) = diff_deals(qingdao, new).changes
    assert change.path == "tranches[优先A1].target_balances[2]"
    assert (change.old_text, change.new_text, change.delta_text) == (
        "11,000.00 万元",
        "10,000.00 万元",
        "-1,000.00 万元",
    )


def test_pool_changes_by_asset_id(qingdao) -> None:  # type: ignore[no-untyped-def]
    pool = qingdao.pool
    changed = pool.assets[1].model_copy(update={"amount": pool.assets[1].amount + 100.0})
    new_pool = pool.model_copy(update={"assets": (changed, *pool.assets[2:])})
    p = pool_changes(pool, new_pool)
    assert p.removed == (pool.assets[0].asset_id,)
    assert p.changed == (pool.assets[1].asset_id,)
    assert p.added == ()
    assert (p.old_count, p.new_count) == (60, 59)
    assert p.old_amount_fen - p.new_amount_fen == pool.assets[0].amount_fen - 10_000
    assert not p.unchanged


def test_format_value_units() -> None:
    assert format_value(123_456_789.0, ["tranches[A]", "balance"]) == "12,345.68 万元"
    assert format_value(0.05, ["tranches[A]", "coupon", "cap"]) == "5%"
    assert format_value(50_000.0, ["fees[托管费]", "cap"]) == "5.00 万元"
    assert format_value(True, ["cure"]) == "是 yes"
    assert format_value(None, ["rating"]) == "—"


def test_measure_changes_side_by_side() -> None:
    cols = ["section", "scenario", "tranche", "measure", "value"]
    old = pd.DataFrame(
        [
            ("base", "", "优先A", "wal_years", 1.5),
            ("base", "", "优先A", "yield", 0.024),
            ("breakeven", "pd_multiplier", "优先A", "breakeven", 4.0),
            ("stress", "重度", "优先A", "yield", 0.01),
        ],
        columns=cols,
    )
    new = pd.DataFrame(
        [
            ("base", "", "优先A", "wal_years", 1.25),
            ("base", "", "优先A", "yield", 0.026),
            ("breakeven", "pd_multiplier", "优先A", "breakeven", 3.5),
        ],
        columns=cols,
    )
    m = measure_changes(old, new)
    got = {(r["档位 tranche"], r["指标 measure"]): r["变化 delta"] for r in m.to_dict("records")}
    assert got[("优先A", "加权平均期限 WAL")] == pytest.approx(-0.25)
    assert got[("优先A", "收益率 yield")] == pytest.approx(0.002)
    assert got[("优先A", "临界值（pd_multiplier） break-even (pd_multiplier)")] == pytest.approx(
        -0.5
    )
    assert len(m) == 3  # stress rows are not key measures


def test_table_in_one_language_per_mode(qingdao) -> None:  # type: ignore[no-untyped-def]
    import re

    from abs.enums import PrincipalType
    from abs.library.diff import CHANGE_COLUMNS

    a1, a2, sub = qingdao.tranches
    new = qingdao.model_copy(
        update={
            "tranches": (
                a1.model_copy(
                    update={"principal_type": PrincipalType.PASS_THROUGH, "balance": 150_000_000.0}
                ),
                a2,
                sub,
            ),
            "fees": (*qingdao.fees, Fee(name="审计费", fee_type="fixed", amount=30_000.0)),
        }
    )
    d = diff_deals(qingdao, new, a="qd@1", b="qd@2")
    zh, en = d.table("zh"), d.table("en")
    assert tuple(zh.columns) == tuple(en.columns) == CHANGE_COLUMNS  # codes; the page names them
    assert zh.iloc[0].tolist() == [
        "档位 优先A1 发行规模",
        "修改",
        "20,000.00 万元",
        "15,000.00 万元",
        "-5,000.00 万元",
    ]
    assert en.iloc[0].tolist() == [
        "tranche 优先A1 · balance",
        "changed",
        "20,000.00 (CNY 10k)",
        "15,000.00 (CNY 10k)",
        "-5,000.00 (CNY 10k)",
    ]
    # option codes as the editors label them
    assert zh.iloc[1][["old", "new"]].tolist() == ["固定摊还", "过手摊还"]
    assert en.iloc[1][["old", "new"]].tolist() == ["scheduled", "pass through"]
    # an added fee: its fields in the session language too
    assert zh.iloc[2]["new"].startswith("名称：审计费；费用类型：固定费用；")
    assert en.iloc[2]["new"].startswith("name: 审计费; fee type: fixed; ")
    names = ["优先A1", "审计费"]
    for text in en.to_numpy().ravel():
        for name in names:
            text = str(text).replace(name, "")
        assert not re.search(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]", text), text
    for text in zh.to_numpy().ravel():
        for name in names:
            text = str(text).replace(name, "")
        assert not re.search(r"[A-Za-z]{2,}", text), text
    # the CLI's bilingual frame is unchanged
    assert list(d.to_frame().columns) == ["字段", "field", "change", "qd@1", "qd@2", "变化 delta"]
