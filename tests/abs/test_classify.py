"""Classification: exact boundaries in fen, pv basis, warnings, properties."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abs.asset import Asset, Pool
from abs.classify import (
    KIND_RANK,
    Classification,
    classify,
    classify_deal,
    format_share,
    kind_for_share,
)
from abs.enums import AssetType, DataLink, DealKind
from abs.errors import DealSpecError, ProjectionError

START = dt.date(2025, 1, 1)
END = dt.date(2027, 1, 1)


def _asset(
    asset_id: str,
    amount: float,
    link: str = "none",
    *,
    obligor: str | None = None,
    kind: str = "receivable",
    maturity: dt.date = END,
    **extra: object,
) -> Asset:
    return Asset(
        asset_id=asset_id,
        obligor=obligor or f"债务人{asset_id}",
        asset_type=kind,
        data_link=link,
        amount=amount,
        start_date=START,
        maturity_date=maturity,
        **extra,
    )


def _pool(*assets: Asset) -> Pool:
    return Pool(assets=assets)


def _split_pool(linked_yuan: float, total_yuan: float = 100.0) -> Pool:
    """One pledged asset of ``linked_yuan`` and one plain asset with the rest."""
    assets = []
    if linked_yuan > 0:
        assets.append(_asset("L", linked_yuan, "pledged"))
    rest = round(total_yuan - linked_yuan, 2)
    if rest > 0:
        assets.append(_asset("N", rest))
    return _pool(*assets)


# Hand check: total 100.00 yuan = 10,000 fen; linked L fen; pure iff 100·L >= 70·10,000 = 700,000,
# i.e. L >= 7,000 fen (70.00 yuan); labelled iff L >= 5,000 fen (50.00 yuan).
@pytest.mark.parametrize(
    ("linked", "declared", "kind", "share_text", "pure_100"),
    [
        (0.0, False, DealKind.NOT_DABS, "0.00%", False),
        (0.0, True, DealKind.ENABLED, "0.00%", False),
        (0.01, False, DealKind.ENABLED, "0.01%", False),
        (49.99, False, DealKind.ENABLED, "49.99%", False),
        (50.00, False, DealKind.LABELLED, "50.00%", False),
        (69.99, False, DealKind.LABELLED, "69.99%", False),
        (70.00, False, DealKind.PURE, "70.00%", False),
        (99.99, False, DealKind.PURE, "99.99%", False),
        (100.0, False, DealKind.PURE, "100.00%", True),
    ],
)
def test_boundary_shares_by_hand(
    linked: float, declared: bool, kind: DealKind, share_text: str, pure_100: bool
) -> None:
    c = classify(_split_pool(linked), declared_enablement=declared)
    assert c.kind is kind
    assert c.pure_100 is pure_100
    assert c.total_fen == 10_000
    assert c.linked_fen == round(linked * 100)
    assert c.data_share == pytest.approx(linked / 100)
    assert c.to_dict()["data_share_text"] == share_text


def test_float_sums_do_not_move_the_boundary() -> None:
    # 0.1 + 0.2 style: 23.33 + 23.33 + 23.34 = 70.00 yuan exactly in fen (7,000),
    # of a 100.00 yuan pool; a float share may be 0.6999999999999998 but the kind is pure.
    pool = _pool(
        _asset(
            "L1",
            23.33,
            "direct",
            registration_id="r1",
            valuation_method="收益法",
            appraised_value=1.0,
        ),
        _asset("L2", 23.33, "pledged"),
        _asset("L3", 23.34, "pledged"),
        _asset("N1", 10.1),
        _asset("N2", 19.9),
    )
    c = classify(pool)
    assert (c.linked_fen, c.total_fen) == (7_000, 10_000)
    assert c.kind is DealKind.PURE


def test_share_just_below_threshold_is_never_shown_as_the_threshold() -> None:
    # 49,999,999 fen of 100,000,000 fen = 49.999999%: enabled, shown with enough decimals.
    c = classify(_split_pool(499_999.99, 1_000_000.0))
    assert c.kind is DealKind.ENABLED
    assert c.to_dict()["data_share_text"] == "49.999999%"
    assert "49.999999%" in c.explanation_zh
    assert format_share(5046, 10000) == "50.46%"
    assert format_share(9_999_999, 10_000_000) == "99.99999%"
    assert format_share(1, 0) == "n/a"


def test_kind_for_share_rejects_impossible_amounts() -> None:
    with pytest.raises(
        DealSpecError,
        match=(
            r"amounts must satisfy 0 <= linked <= total "
            r"and total > 0; got linked=5 fen, total=0 fen"
        ),
    ):
        kind_for_share(5, 0, declared_enablement=False)
    with pytest.raises(DealSpecError, match=r"got linked=11 fen, total=10 fen"):
        kind_for_share(11, 10, declared_enablement=False)
    assert kind_for_share(7, 10, declared_enablement=False) is DealKind.PURE


def test_result_fields_and_json_keys() -> None:
    pool = _pool(
        _asset("P", 60.0, "pledged"),
        _asset(
            "D",
            15.0,
            "direct",
            kind="data_license",
            registration_id="r",
            valuation_method="收益法",
            appraised_value=20.0,
        ),
        _asset("N", 25.0),
    )
    c = classify(pool)
    data = c.to_dict()
    for key in (
        "kind",
        "kind_zh",
        "data_share",
        "pure_100",
        "total_amount",
        "asset_count",
        "by_link",
        "warnings",
        "by_kind",
        "explanation_zh",
        "explanation_en",
        "basis",
    ):
        assert key in data
    assert data["kind"] == "pure"
    assert data["kind_zh"] == "纯数据型"
    assert data["by_link"] == {"none": 25.0, "pledged": 60.0, "direct": 15.0}
    assert data["by_kind"] == {"receivable": 85.0, "data_license": 15.0}
    assert (data["total_amount"], data["asset_count"], data["basis"]) == (100.0, 3, "balance")
    assert c.rank == 3
    # explanation names the numbers and the thresholds
    assert "75.00%" in c.explanation_zh and "≥70%" in c.explanation_zh
    assert "75.00%" in c.explanation_en and "share >= 70% pure" in c.explanation_en


# --- pv basis ----------------------------------------------------------------------------------


def test_pv_basis_uses_present_values_rounded_to_fen() -> None:
    pool = _split_pool(50.0)  # balance: labelled
    # pv: linked 40.004 → 4,000 fen; plain 59.996 → 6,000 fen (hand-rounded) → 40.00%: enabled
    c = classify(pool, basis="pv", pv={"L": 40.004, "N": 59.996})
    assert (c.linked_fen, c.total_fen) == (4_000, 10_000)
    assert c.kind is DealKind.ENABLED
    assert c.basis == "pv"
    assert "按预测回收款现值计" in c.explanation_zh
    assert classify(pool).kind is DealKind.LABELLED


def test_pv_basis_errors() -> None:
    pool = _split_pool(50.0)
    with pytest.raises(
        DealSpecError, match=r"pool: basis 'pv' needs the present value of each asset's collections"
    ):
        classify(pool, basis="pv")
    with pytest.raises(ProjectionError, match=r"pool: pv has no value for 1 asset\(s\): N"):
        classify(pool, basis="pv", pv={"L": 1.0})
    with pytest.raises(ProjectionError, match=r"pv\['N'\] must be a finite number >= 0; got -1\.0"):
        classify(pool, basis="pv", pv={"L": 1.0, "N": -1.0})
    with pytest.raises(ProjectionError, match=r"pv\['N'\] must be a finite number >= 0; got nan"):
        classify(pool, basis="pv", pv={"L": 1.0, "N": float("nan")})
    with pytest.raises(ProjectionError, match=r"the present values of all assets sum to 0 fen"):
        classify(pool, basis="pv", pv={"L": 0.0, "N": 0.001})
    with pytest.raises(
        DealSpecError, match=r"classification basis must be one of balance, pv; got 'cash'"
    ):
        classify(pool, basis="cash")


# --- warnings ----------------------------------------------------------------------------------


def _many(n: int, amount: float = 10.0, **kw: object) -> list[Asset]:
    return [_asset(f"A{i:02d}", amount, **kw) for i in range(n)]  # type: ignore[arg-type]


def test_pure_resting_on_pledged_assets_is_flagged() -> None:
    # pledged 60 + direct 20 = 80 of 100 → pure; pledged is 75.00% of the linked 80.
    assets = (
        [_asset(f"P{i}", 6.0, "pledged") for i in range(10)]
        + [
            _asset(
                f"D{i}",
                2.0,
                "direct",
                kind="data_license",
                registration_id=f"r{i}",
                valuation_method="收益法",
                appraised_value=2.0,
            )
            for i in range(10)
        ]
        + _many(10, 2.0)
    )
    c = classify(_pool(*assets))
    assert c.kind is DealKind.PURE
    (warning,) = c.warnings
    assert warning.startswith("纯数据型主要依赖质押类资产：质押 0.01万元，占数据关联资产的 75.00%")
    assert (
        "pledged 60.00 yuan is 75.00% of the data-linked amount, direct only 20.00 yuan" in warning
    )


def test_pure_resting_on_direct_assets_is_not_flagged() -> None:
    direct = [
        _asset(
            f"D{i}",
            8.0,
            "direct",
            kind="data_license",
            registration_id=f"r{i}",
            valuation_method="收益法",
            appraised_value=8.0,
        )
        for i in range(10)
    ]
    c = classify(_pool(*direct, *_many(10, 2.0)))
    assert c.kind is DealKind.PURE
    assert c.warnings == ()


def test_direct_assets_without_registration_or_valuation() -> None:
    others = _many(10)
    c = classify(
        _pool(
            _asset(
                "D2",
                30.0,
                "direct",
                kind="data_product",
                valuation_method="收益法",
                appraised_value=1.0,
            ),
            _asset(
                "D1", 20.0, "direct", kind="data_product", registration_id="r1", appraised_value=1.0
            ),
            *others,
        )
    )
    # D2 is 30 of 150 = 20.00% of the pool, so it is also a 重要债务人 (third warning)
    assert "重要债务人：债务人D2 占入池 20.00%" in c.warnings[2]
    assert c.warnings[:2] == (
        "直接类数据资产缺少数据资产登记编号：D2（1笔，合计 0.00万元，占入池 20.00%）/ direct data "
        "assets without a registration id: D2 (1 asset(s), 30.00 yuan, 20.00% of the pool)",
        "直接类数据资产缺少评估信息（评估方法/评估价值）：D1（1笔，合计 0.00万元）/ direct data "
        "assets without a valuation (valuation_method/appraised_value): D1 "
        "(1 asset(s), 20.00 yuan)",
    )


def test_licences_ending_before_legal_maturity() -> None:
    legal = dt.date(2029, 6, 26)
    c = classify(
        _pool(
            _asset("L1", 10.0, kind="data_license", maturity=dt.date(2028, 12, 31)),
            _asset("L2", 10.0, kind="ip_license", maturity=dt.date(2029, 6, 25)),
            _asset("L3", 10.0, kind="algorithm_service", maturity=legal),  # not before: fine
            _asset("R1", 10.0, maturity=dt.date(2026, 1, 1)),  # a receivable: not a licence
            *_many(10),
        ),
        legal_maturity=legal,
        declared_enablement=True,
    )
    (warning,) = c.warnings
    assert warning.startswith(
        "授权/许可期限早于证券法定到期日 2029-06-26：L1(2028-12-31)、L2(2029-06-25)"
        "（2笔，合计 0.00万元，"
        "占入池 14.29%；最早 2028-12-31 到期）"
    )
    assert (
        "licences ending before the notes' legal maturity 2029-06-26: "
        "L1(2028-12-31), L2(2029-06-25)" in warning
    )
    assert classify(c_pool := _pool(*_many(10))).warnings == ()
    assert len(c_pool) == 10


def test_long_lists_are_cut_after_five_names() -> None:
    assets = [
        _asset(f"L{i}", 10.0, kind="data_license", maturity=dt.date(2026, 1, 1)) for i in range(7)
    ]
    c = classify(_pool(*assets, *_many(10)), legal_maturity=dt.date(2030, 1, 1))
    (warning,) = c.warnings
    assert (
        "L0(2026-01-01)、L1(2026-01-01)、L2(2026-01-01)、L3(2026-01-01)、L4(2026-01-01)等（7笔"
        in warning
    )
    assert "and 2 more (7 asset(s)" in warning


def test_fewer_than_ten_debtors_without_support() -> None:
    c = classify(_pool(*_many(3)), has_credit_support=False)
    assert c.warnings == (
        "债务人仅 3 个，少于10个（上交所挂牌指引2号3.2.3），且无保证担保或差额支付"
        " / only 3 debtors, "
        "fewer than 10 (SSE listing guideline No.2 3.2.3), and no guarantee or 差额支付",
        *c.warnings[1:],
    )
    supported = classify(_pool(*_many(3)), has_credit_support=True)
    assert not any("债务人仅" in w for w in supported.warnings)
    assert "债务人 3 个，少于10个，已由保证担保/差额支付豁免" in supported.explanation_zh
    assert "3 debtors, fewer than 10, waived by a guarantee/差额支付" in supported.explanation_en


def test_single_debtor_above_half_without_support() -> None:
    big = _asset("BIG", 60.01, obligor="某集团（示例）")
    c = classify(_pool(big, *_many(10, 3.999)), has_credit_support=False)
    # 60.01 of 100.00 (60.01 + 10 × 3.999 = 99.999 → fen 6001 + 10 × 400 = 10,001) = 60.0040%
    assert c.total_fen == 10_001
    assert any(
        w.startswith(
            "单一债务人 某集团（示例） 占入池 60.00%，超过50%（上交所挂牌指引2号3.2.3），"
            "且无保证担保或差额支付"
        )
        for w in c.warnings
    )
    # exactly 50% is not above 50%
    half = classify(
        _pool(_asset("H", 50.0, obligor="甲"), *_many(10, 5.0)), has_credit_support=False
    )
    assert not any("单一债务人" in w for w in half.warnings)


def test_important_debtor_above_fifteen_percent() -> None:
    # 15.00 of 100.00 is not above 15%; 15.01 of 100.01 = 15.0085% is.
    at = classify(_pool(_asset("X", 15.0, obligor="甲"), *_many(17, 5.0)))
    assert not any("重要债务人" in w for w in at.warnings)
    above = classify(_pool(_asset("X", 15.01, obligor="甲"), *_many(17, 5.0)))
    (warning,) = [w for w in above.warnings if "重要债务人" in w]
    assert warning == (
        "重要债务人：甲 占入池 15.01%（0.00万元），超过15%，"
        "须按证监会资产证券化信息披露指引详细披露 / "
        "important debtor (重要债务人): 甲 is 15.01% of the pool (15.01 yuan), above 15%; disclose "
        "in depth (CSRC ABS disclosure guideline)"
    )


def test_credit_support_inferred_from_guarantors_on_the_tape() -> None:
    guaranteed = [_asset(f"G{i}", 10.0, guarantor="中证信用增进股份有限公司") for i in range(3)]
    assert classify(_pool(*guaranteed)).credit_support is True
    mixed = [*guaranteed, _asset("N", 10.0)]
    c = classify(_pool(*mixed))
    assert c.credit_support is False
    assert any("债务人仅 4 个" in w for w in c.warnings)


def test_classify_deal_requires_a_pool() -> None:
    from abs.io import load_deal

    deal = load_deal("rugao-labelled", with_pool=False)
    with pytest.raises(DealSpecError, match=r"no pool; give 'tape'"):
        classify_deal(deal)


def test_classify_deal_takes_flags_from_the_deal() -> None:
    from abs.io import load_deal

    deal = load_deal("tianfeng-enabled")
    c = classify_deal(deal)
    assert c.kind is DealKind.ENABLED and c.declared_enablement and c.credit_support
    assert c.legal_maturity == dt.date(2027, 7, 15)
    undeclared = deal.model_copy(
        update={"data_enablement": deal.data_enablement.model_copy(update={"declared": False})}
    )
    assert classify_deal(undeclared).kind is DealKind.NOT_DABS
    assert classify_deal(undeclared, declared_enablement=True).kind is DealKind.ENABLED


def test_classify_deal_pv_basis() -> None:
    pytest.importorskip("abs.projection")
    from abs.io import load_deal

    deal = load_deal("qingdao-pure")
    c = classify_deal(deal, basis="pv")
    assert c.basis == "pv"
    assert c.kind is DealKind.PURE and c.pure_100
    assert c.total_amount > 0


# --- properties ----------------------------------------------------------------------------


_LINKS = st.sampled_from(list(DataLink))
_FEN = st.integers(min_value=1, max_value=10**11)


@st.composite
def _pools(draw: st.DrawFn) -> Pool:
    n = draw(st.integers(1, 25))
    assets = []
    for i in range(n):
        fen = draw(_FEN)
        assets.append(
            _asset(
                f"A{i}",
                fen / 100,
                draw(_LINKS).value,
                obligor=f"O{draw(st.integers(0, 6))}",
                kind=draw(st.sampled_from(list(AssetType))).value,
                maturity=draw(st.dates(dt.date(2025, 1, 2), dt.date(2035, 1, 1))),
                registration_id=draw(st.sampled_from([None, "r"])),
            )
        )
    return _pool(*assets)


@settings(max_examples=80, deadline=None)
@given(pool=_pools(), declared=st.booleans())
def test_share_is_a_fraction_and_kind_follows_the_rule(pool: Pool, declared: bool) -> None:
    c = classify(pool, declared_enablement=declared, legal_maturity=dt.date(2030, 1, 1))
    assert 0.0 <= c.data_share <= 1.0
    assert c.linked_fen == sum(a.amount_fen for a in pool.assets if a.is_data_linked)
    assert sum(c.by_link.values()) == pytest.approx(c.total_amount)
    assert c.pure_100 == (c.linked_fen == c.total_fen)
    assert isinstance(c, Classification)


@settings(max_examples=80, deadline=None)
@given(
    pool=_pools(),
    fen=_FEN,
    link=st.sampled_from([DataLink.PLEDGED, DataLink.DIRECT]),
    declared=st.booleans(),
)
def test_adding_a_data_linked_asset_never_lowers_the_kind(
    pool: Pool, fen: int, link: DataLink, declared: bool
) -> None:
    before = classify(pool, declared_enablement=declared)
    extra = _asset("NEW", fen / 100, link.value, kind="data_license", registration_id="r")
    after = classify(_pool(*pool.assets, extra), declared_enablement=declared)
    assert KIND_RANK[after.kind] >= KIND_RANK[before.kind]
    assert after.data_share >= before.data_share - 1e-12


@settings(max_examples=100, deadline=None)
@given(pool=_pools(), seed=st.integers(0, 2**32 - 1))
def test_row_order_never_matters(pool: Pool, seed: int) -> None:
    shuffled = list(pool.assets)
    random.Random(seed).shuffle(shuffled)
    a = classify(pool, legal_maturity=dt.date(2030, 1, 1)).to_dict()
    b = classify(_pool(*shuffled), legal_maturity=dt.date(2030, 1, 1)).to_dict()
    assert a == b


def test_package_level_classify_works_after_the_module_is_imported() -> None:
    import abs
    import abs.classify  # binds the package attribute to the module

    pool = _split_pool(70.0)
    assert abs.classify(pool).kind is DealKind.PURE
    assert abs.classify(pool, declared_enablement=True).kind is DealKind.PURE
