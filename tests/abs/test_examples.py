"""The three shipped example tapes: formats, public facts they match, reproducible generator."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import zipfile
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from abs.classify import classify_deal
from abs.enums import AssetType, DataLink, DealKind
from abs.examples import EXAMPLES, example_dir
from abs.io import load_deal
from abs.tape import read_tape_report

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    path = ROOT / "tools" / "make_example_tapes.py"
    spec = importlib.util.spec_from_file_location("make_example_tapes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_example_tapes", module)
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_every_tape_byte_for_byte() -> None:
    files = _generator().build_all()
    assert len(files) == 4
    for path, data in files.items():
        assert path.read_bytes() == data, f"{path} differs from tools/make_example_tapes.py output"
    # a second run is identical too (no clock, no global random state)
    assert _generator().build_all() == files


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_deal_loads_its_tape_without_warnings(name: str) -> None:
    deal = load_deal(name)
    assert deal.pool is not None and deal.tape is not None
    report = read_tape_report(example_dir(name) / deal.tape)
    assert report.warnings == ()
    assert report.pool.assets == deal.pool.assets


def test_qingdao_pure_tape() -> None:
    raw = (example_dir("qingdao-pure") / "tape.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")  # strict UTF-8
    assert raw.split(b"\r\n", 1)[0].startswith(b"asset_id,obligor,asset_type,data_link,amount")
    deal = load_deal("qingdao-pure")
    pool = deal.pool
    assert pool is not None
    assets = pool.assets
    assert len(assets) == 60
    assert Counter(a.asset_type for a in assets) == {
        AssetType.DATA_LICENSE: 25,
        AssetType.ALGORITHM_SERVICE: 15,
        AssetType.DATA_PRODUCT: 15,
        AssetType.REVENUE_SHARE: 5,
    }
    assert len({a.obligor for a in assets}) == 40
    for a in assets:
        assert a.data_link is DataLink.DIRECT
        assert a.registration_id and a.registration_id.startswith("青数登(")
        assert a.registry == "青岛数据资产登记评价中心"
        assert a.valuation_method == "收益法"
        assert a.appraised_value is not None and a.appraised_value >= a.amount
        assert "（示例）" in a.obligor
        assert dt.date(2025, 1, 1) <= a.start_date <= dt.date(2026, 3, 31)
        assert dt.date(2029, 6, 1) <= a.maturity_date <= dt.date(2030, 12, 31)
        assert a.pd is not None and 0.005 <= a.pd <= 0.03
        assert a.recovery_rate is not None and 0.0 <= a.recovery_rate <= 0.2
    products = [a for a in assets if a.asset_type is AssetType.DATA_PRODUCT]
    assert all(a.unit_price is not None and 0.0028 <= a.unit_price <= 0.05 for a in products)
    # volumes large enough to matter: every product bills at least 2万元 a month at the cut-off
    assert all((a.volume or 0.0) * (a.unit_price or 0.0) >= 20_000 for a in products)
    assert all(a.escalator == 0.03 for a in assets if a.asset_type is AssetType.DATA_LICENSE)
    # 入池金额 ≈ 5.8–6.0亿 (PV at 8% of contracted cash after the cut-off)
    assert 5.8e8 <= pool.total_amount <= 6.0e8
    c = classify_deal(deal)
    assert c.kind is DealKind.PURE and c.pure_100 and c.data_share == 1.0


def test_qingdao_sizing_matches_the_brief() -> None:
    gen = _generator()
    stats = gen.qingdao_stats()
    # contracted cash from cut-off to 2029-06-30 ≈ 6.2亿 over 13 quarters (~50m each)
    assert stats["cash_to_2029_06_30"] == pytest.approx(6.2e8, rel=0.01)
    assert stats["quarters_to_2029_06_30"] == 13
    assert 4.0e7 <= stats["quarter_min"] <= stats["quarter_max"] <= 5.5e7
    assert stats["cash_total"] == pytest.approx(7.0e8, rel=0.05)
    # the tape's 入池金额 is the PV the generator computed
    pool = load_deal("qingdao-pure").pool
    assert pool is not None
    assert pool.total_amount == pytest.approx(stats["pv_total"], abs=0.01)


def test_rugao_labelled_tape() -> None:
    raw = (example_dir("rugao-labelled") / "tape.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert text.startswith("资产编号,债权人,债务人,资产类型,数据资产关联,入池金额(元)")
    assert '"13,000,000.00"' in text
    report = read_tape_report(example_dir("rugao-labelled") / "tape.csv")
    assert report.encoding == "gb18030"
    assets = report.pool.assets
    assert len(assets) == 10
    assert len({a.originator for a in assets}) == 3
    assert len({a.obligor for a in assets}) == 5
    pledged = [a for a in assets if a.data_link is DataLink.PLEDGED]
    assert len(pledged) == 4
    assert all(a.pledge_registration for a in pledged)
    assert all(a.region == "江苏省南通市如皋市" for a in assets)
    assert all(a.guarantor == "中证信用增进股份有限公司" for a in assets)
    assert all(a.rate is not None and 0.042 <= a.rate <= 0.050 for a in assets)
    assert all(dt.date(2026, 3, 1) <= a.maturity_date <= dt.date(2027, 3, 31) for a in assets)
    c = classify_deal(load_deal("rugao-labelled"))
    # exactly 50.46% in fen: 10000 × 6,711,180,000 = 5046 × 13,300,000,000
    assert (c.linked_fen, c.total_fen) == (6_711_180_000, 13_300_000_000)
    assert 10_000 * c.linked_fen == 5046 * c.total_fen
    assert c.kind is DealKind.LABELLED and not c.pure_100


def test_tianfeng_enabled_tape() -> None:
    path = example_dir("tianfeng-enabled") / "tape.xlsx"
    with zipfile.ZipFile(path) as z:
        assert "xl/workbook.xml" in z.namelist()
    report = read_tape_report(path)
    assert report.sheet == "资产明细"
    assert report.file_format == "xlsx"
    assets = report.pool.assets
    assert len(assets) == 120
    assert len({a.obligor for a in assets}) == 12
    assert len({a.originator for a in assets}) == 40
    assert report.pool.total_amount == 520_000_000.0
    assert all(
        a.data_link is DataLink.NONE and a.asset_type is AssetType.RECEIVABLE for a in assets
    )
    assert all(a.rate is not None and 0.03 <= a.rate <= 0.04 for a in assets)
    assert all(dt.date(2024, 10, 1) <= a.start_date <= dt.date(2025, 6, 10) for a in assets)
    assert all(dt.date(2025, 9, 1) <= a.maturity_date <= dt.date(2026, 6, 30) for a in assets)
    c = classify_deal(load_deal("tianfeng-enabled"))
    assert c.kind is DealKind.ENABLED and c.linked_fen == 0
    assert c.warnings == ()  # 12 payers, none above 15%
