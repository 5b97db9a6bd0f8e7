"""Generate the illustrative example tapes under ``abs/examples/`` (deterministic).

Usage::

    .venv/bin/python tools/make_example_tapes.py           # (re)write the three tapes
    .venv/bin/python tools/make_example_tapes.py --check   # exit 1 if a file would change
    .venv/bin/python tools/make_example_tapes.py --stats   # print the sizing figures

Every number comes from a fixed seed (``SEED``), one independent random stream per example
(``np.random.SeedSequence(SEED, spawn_key=(k,))``), and every file is written from fixed-format
text, so re-running reproduces the files byte for byte. The pools are illustrative: they match
the public facts listed in ``docs/examples.md`` (sizes, counts, shares, kinds) and nothing else;
every company name carries （示例）.

* ``qingdao-pure/tape.csv``: UTF-8 (no BOM), English headers, 60 direct data-asset contracts.
  入池金额 of each contract = present value at 8% (ACT/365F from the 2026-03-31 cut-off) of its
  contracted cash after the cut-off, computed by :func:`contract_cash` below.
* ``rugao-labelled/tape.csv``: GBK, Chinese headers, 10 receivables; pledged share exactly
  50.46% in fen.
* ``tianfeng-enabled/tape.xlsx``: one sheet 资产明细, Chinese headers, 120 receivables.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "abs" / "examples"
SEED = 20260331

# --------------------------------------------------------------------------------------------
# qingdao-pure

QD_CUTOFF = dt.date(2026, 3, 31)
QD_SIZING_END = dt.date(2029, 6, 30)  # cash from cut-off to here ≈ 6.2亿
QD_TARGET_TO_2029 = 620_000_000.0
QD_DISCOUNT = 0.08
QD_ORIGINATOR = "青岛数据资产运营有限公司（示例）"
QD_REGISTRY = "青岛数据资产登记评价中心"

#: (name, region, industry, rating, related to the originator)
QD_OBLIGORS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("青岛某银行股份有限公司（示例）", "山东省", "金融业", "AAA", False),
    ("山东某农村商业银行股份有限公司（示例）", "山东省", "金融业", "AA+", False),
    ("济南某城市商业银行股份有限公司（示例）", "山东省", "金融业", "AA+", False),
    ("烟台某农村商业银行股份有限公司（示例）", "山东省", "金融业", "AA", False),
    ("某股份制商业银行青岛分行（示例）", "山东省", "金融业", "AAA", False),
    ("某国有商业银行山东省分行（示例）", "山东省", "金融业", "AAA", False),
    ("北京某民营银行股份有限公司（示例）", "北京市", "金融业", "AA+", False),
    ("上海某消费金融有限公司（示例）", "上海市", "金融业", "AA", False),
    ("某财产保险股份有限公司山东分公司（示例）", "山东省", "金融业", "AAA", False),
    ("青岛某人寿保险股份有限公司（示例）", "山东省", "金融业", "AA+", False),
    ("北京某健康保险股份有限公司（示例）", "北京市", "金融业", "AA+", False),
    ("某农业保险股份有限公司青岛分公司（示例）", "山东省", "金融业", "AA", False),
    ("上海某保险经纪有限公司（示例）", "上海市", "金融业", "AA-", False),
    ("浙江某相互保险社（示例）", "浙江省", "金融业", "AA-", False),
    ("青岛某港口物流集团有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "AA+", False),
    ("山东某高速物流有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "AA", False),
    ("青岛某冷链物流有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "A+", False),
    ("某航运集团青岛有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "AA", False),
    ("日照某港口集团有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "AA+", False),
    ("江苏某供应链管理有限公司（示例）", "江苏省", "交通运输、仓储和邮政业", "AA-", False),
    ("山东某电力集团有限公司（示例）", "山东省", "电力、热力、燃气及水生产和供应业", "AAA", False),
    ("青岛某燃气集团有限公司（示例）", "山东省", "电力、热力、燃气及水生产和供应业", "AA+", False),
    ("青岛某热电集团有限公司（示例）", "山东省", "电力、热力、燃气及水生产和供应业", "AA", False),
    ("山东某新能源发展有限公司（示例）", "山东省", "电力、热力、燃气及水生产和供应业", "AA", False),
    ("潍坊某水务集团有限公司（示例）", "山东省", "电力、热力、燃气及水生产和供应业", "AA", False),
    (
        "广东某电力交易服务有限公司（示例）",
        "广东省",
        "电力、热力、燃气及水生产和供应业",
        "AA+",
        False,
    ),
    ("青岛某城市建设投资集团有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AAA", True),
    ("青岛某城市运营有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AA+", True),
    ("济南某城市大数据运营有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AA", False),
    ("烟台某城市发展集团有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AA+", False),
    ("威海某城市投资集团有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AA", False),
    ("青岛西海岸某发展集团有限公司（示例）", "山东省", "水利、环境和公共设施管理业", "AA+", False),
    ("青岛某医院集团有限公司（示例）", "山东省", "卫生和社会工作", "AA", False),
    ("山东某健康医疗大数据有限公司（示例）", "山东省", "卫生和社会工作", "AA-", False),
    ("山东某医药连锁股份有限公司（示例）", "山东省", "卫生和社会工作", "AA", False),
    ("青岛某妇女儿童医院（示例）", "山东省", "卫生和社会工作", "A+", False),
    ("北京某医疗科技有限公司（示例）", "北京市", "卫生和社会工作", "A+", False),
    ("青岛某轨道交通有限公司（示例）", "山东省", "交通运输、仓储和邮政业", "AA+", False),
    ("山东某零售连锁有限公司（示例）", "山东省", "批发和零售业", "AA-", False),
    ("深圳某互联网科技有限公司（示例）", "广东省", "信息传输、软件和信息技术服务业", "AA", False),
)

#: Asset kind → number of contracts and its share of the quarterly contracted cash.
QD_KINDS: tuple[tuple[str, int, float], ...] = (
    ("data_license", 25, 0.45),
    ("algorithm_service", 15, 0.25),
    ("data_product", 15, 0.20),
    ("revenue_share", 5, 0.10),
)
#: Quarters after 2029-06-30 a contract runs (maturity spread 2029-06 … 2030-12).
QD_EXTRA_QUARTERS = (0, 1, 2, 3, 4, 5, 6)
QD_EXTRA_WEIGHTS = (0.50, 0.18, 0.12, 0.08, 0.05, 0.04, 0.03)
#: Public API price points (DOMAIN.md: 0.0028 元/次) up to 0.05 元/次.
QD_UNIT_PRICES = (0.0028, 0.005, 0.008, 0.01, 0.02, 0.03, 0.05)
PD_BY_RATING = {"AAA": 0.005, "AA+": 0.008, "AA": 0.012, "AA-": 0.018, "A+": 0.03}


@dataclass
class Contract:
    """One Qingdao contract and its revenue parameters (units as in ``abs.asset.Asset``)."""

    asset_id: str
    kind: str
    obligor: int
    start: dt.date
    maturity: dt.date
    annual_fee: float | None = None
    escalator: float | None = None
    subscription_fee: float | None = None
    volume: float | None = None
    unit_price: float | None = None
    volume_growth: float | None = None
    price_decline: float | None = None
    churn: float | None = None
    minimum_fee: float | None = None
    counterparty_revenue: float | None = None
    revenue_share: float | None = None
    revenue_growth: float | None = None
    pd: float = 0.01
    recovery_rate: float = 0.0
    appraisal_premium: float = 0.0


def _f(value: float | None) -> float:
    """A parameter the contract kind always sets (0 for the others)."""
    return 0.0 if value is None else value


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Month end ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def contract_years(start: dt.date, on: dt.date) -> int:
    """Whole contract years elapsed from ``start`` to ``on`` (escalator steps)."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def contract_cash(c: Contract, cutoff: dt.date) -> list[tuple[dt.date, float]]:
    """Contracted cash of a contract after ``cutoff``, paid at calendar quarter ends.

    Monthly accrual (t = years from the cut-off to the month end, ACT/365F):

    * data_license: annual_fee × (1 + escalator)^(whole contract years since start) / 12;
    * algorithm_service: subscription_fee + volume × unit_price, at least minimum_fee / 12;
    * data_product: volume × unit_price × ((1 + growth)(1 − price_decline)(1 − churn))^t;
    * revenue_share: counterparty_revenue × revenue_share × (1 + revenue_growth)^t / 12.

    The months of each calendar quarter are paid on the quarter end; the last payment is on the
    maturity date (a quarter end).
    """
    payments: dict[dt.date, float] = {}
    m = 1
    while True:
        end = add_months(cutoff, m)
        if end > c.maturity:
            break
        t = (end - cutoff).days / 365.0
        if c.kind == "data_license":
            years = contract_years(c.start, end)
            cash = _f(c.annual_fee) * (1 + _f(c.escalator)) ** years / 12
        elif c.kind == "algorithm_service":
            usage = _f(c.volume) * _f(c.unit_price)
            cash = max(_f(c.subscription_fee) + usage, _f(c.minimum_fee) / 12)
        elif c.kind == "data_product":
            trend = (1 + _f(c.volume_growth)) * (1 - _f(c.price_decline)) * (1 - _f(c.churn))
            cash = _f(c.volume) * _f(c.unit_price) * trend**t
        else:
            growth = (1 + _f(c.revenue_growth)) ** t
            cash = _f(c.counterparty_revenue) * _f(c.revenue_share) * growth / 12
        quarter_end = month_end(end.year, (end.month - 1) // 3 * 3 + 3)
        pay = min(quarter_end, c.maturity)
        payments[pay] = payments.get(pay, 0.0) + cash
        m += 1
    return sorted(payments.items())


def present_value(cash: list[tuple[dt.date, float]], cutoff: dt.date, rate: float) -> float:
    """PV at ``rate`` (annual, ACT/365F from ``cutoff``)."""
    return sum(v / (1 + rate) ** ((d - cutoff).days / 365.0) for d, v in cash)


def _round_to(x: float, step: float) -> float:
    return float(round(x / step) * step)


def _qingdao_contracts(rng: np.random.Generator) -> list[Contract]:
    contracts: list[Contract] = []
    n_total = sum(n for _, n, _ in QD_KINDS)
    owners = list(range(len(QD_OBLIGORS)))
    owners += [int(i) for i in rng.integers(0, len(QD_OBLIGORS), n_total - len(owners))]
    owners = [owners[i] for i in rng.permutation(n_total)]
    start_months = [dt.date(2025, 1, 1)]
    while start_months[-1] < dt.date(2026, 3, 1):
        last = start_months[-1]
        start_months.append(dt.date(last.year + last.month // 12, last.month % 12 + 1, 1))
    monthly_target = QD_TARGET_TO_2029 / 39  # 39 months from 2026-04 to 2029-06
    k = 0
    for kind, count, share in QD_KINDS:
        weights = rng.lognormal(0.0, 0.5, count)
        weights = weights / weights.sum() * share * monthly_target
        for w in weights:
            start = start_months[int(rng.integers(0, len(start_months)))]
            extra = int(rng.choice(QD_EXTRA_QUARTERS, p=QD_EXTRA_WEIGHTS))
            maturity = add_months(QD_SIZING_END, 3 * extra)
            owner = owners[k]
            rating = QD_OBLIGORS[owner][3]
            c = Contract(
                asset_id=f"QD{k + 1:03d}",
                kind=kind,
                obligor=owner,
                start=start,
                maturity=maturity,
                pd=PD_BY_RATING[rating],
                appraisal_premium=float(rng.uniform(0.02, 0.12)),
            )
            monthly = float(w)
            if kind == "data_license":
                c.annual_fee = monthly * 12
                c.escalator = 0.03
                c.recovery_rate = _round_to(float(rng.uniform(0.10, 0.20)), 0.01)
            elif kind == "algorithm_service":
                sub_share = float(rng.uniform(0.55, 0.8))
                c.subscription_fee = monthly * sub_share
                c.unit_price = float(rng.choice((0.01, 0.02, 0.03, 0.05)))
                c.volume = monthly * (1 - sub_share) / c.unit_price
                c.minimum_fee = 0.0
                c.recovery_rate = _round_to(float(rng.uniform(0.05, 0.15)), 0.01)
            elif kind == "data_product":
                c.unit_price = float(rng.choice(QD_UNIT_PRICES))
                c.volume = monthly / c.unit_price
                c.volume_growth = _round_to(float(rng.uniform(0.08, 0.15)), 0.01)
                c.price_decline = _round_to(float(rng.uniform(0.02, 0.05)), 0.01)
                c.churn = _round_to(float(rng.uniform(0.02, 0.06)), 0.01)
                c.recovery_rate = 0.0
            else:
                c.revenue_share = _round_to(float(rng.uniform(0.05, 0.15)), 0.005)
                c.counterparty_revenue = monthly * 12 / c.revenue_share
                c.revenue_growth = _round_to(float(rng.uniform(0.03, 0.08)), 0.01)
                c.recovery_rate = _round_to(float(rng.uniform(0.0, 0.05)), 0.01)
            contracts.append(c)
            k += 1
    # one scale factor so that cash from the cut-off to 2029-06-30 is 6.2亿, then round
    to_2029 = sum(
        v for c in contracts for d, v in contract_cash(c, QD_CUTOFF) if d <= QD_SIZING_END
    )
    scale = QD_TARGET_TO_2029 / to_2029
    for c in contracts:
        if c.annual_fee is not None:
            c.annual_fee = _round_to(c.annual_fee * scale, 1000)
        if c.subscription_fee is not None:
            c.subscription_fee = _round_to(c.subscription_fee * scale, 100)
        if c.volume is not None:
            c.volume = _round_to(c.volume * scale, 1000)
        if c.counterparty_revenue is not None:
            c.counterparty_revenue = _round_to(c.counterparty_revenue * scale, 10_000)
        if c.kind == "algorithm_service":
            # minimum guarantee: 80% of a year of the scaled fees
            monthly_fees = _f(c.subscription_fee) + _f(c.volume) * _f(c.unit_price)
            c.minimum_fee = _round_to(0.8 * 12 * monthly_fees, 1000)
    return contracts


def _fmt(x: float | None, digits: int) -> str:
    return "" if x is None else f"{x:.{digits}f}"


QD_HEADERS = (
    "asset_id",
    "obligor",
    "asset_type",
    "data_link",
    "amount",
    "start_date",
    "maturity_date",
    "originator",
    "region",
    "industry",
    "payment_frequency",
    "registration_id",
    "registry",
    "valuation_method",
    "appraised_value",
    "related_party",
    "obligor_rating",
    "booked",
    "annual_fee",
    "escalator",
    "subscription_fee",
    "volume",
    "unit_price",
    "volume_growth",
    "price_decline",
    "churn",
    "minimum_fee",
    "counterparty_revenue",
    "revenue_share",
    "revenue_growth",
    "pd",
    "recovery_rate",
)


def qingdao_rows() -> tuple[list[list[str]], list[Contract]]:
    """Header + data rows of the Qingdao tape, and the contracts behind them."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(0,)))
    contracts = _qingdao_contracts(rng)
    rows: list[list[str]] = [list(QD_HEADERS)]
    for i, c in enumerate(contracts, start=1):
        name, region, industry, rating, related = QD_OBLIGORS[c.obligor]
        amount = round(present_value(contract_cash(c, QD_CUTOFF), QD_CUTOFF, QD_DISCOUNT), 2)
        appraised = _round_to(amount * (1 + c.appraisal_premium), 100)
        rows.append(
            [
                c.asset_id,
                name,
                c.kind,
                "direct",
                f"{amount:.2f}",
                c.start.isoformat(),
                c.maturity.isoformat(),
                QD_ORIGINATOR,
                region,
                industry,
                "quarterly",
                f"青数登({c.start.year})第{i:04d}号",
                QD_REGISTRY,
                "收益法",
                f"{appraised:.2f}",
                "true" if related else "false",
                rating,
                "true",
                _fmt(c.annual_fee, 2),
                _fmt(c.escalator, 2),
                _fmt(c.subscription_fee, 2),
                _fmt(c.volume, 0),
                _fmt(c.unit_price, 4),
                _fmt(c.volume_growth, 2),
                _fmt(c.price_decline, 2),
                _fmt(c.churn, 2),
                _fmt(c.minimum_fee, 2),
                _fmt(c.counterparty_revenue, 2),
                _fmt(c.revenue_share, 3),
                _fmt(c.revenue_growth, 2),
                f"{c.pd:.3f}",
                f"{c.recovery_rate:.2f}",
            ]
        )
    return rows, contracts


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def qingdao_bytes() -> bytes:
    """The Qingdao tape: UTF-8 without BOM, English headers."""
    rows, _ = qingdao_rows()
    return _csv_text(rows).encode("utf-8")


def qingdao_stats() -> dict[str, float]:
    """Sizing figures of the Qingdao tape (what ``--stats`` prints)."""
    _, contracts = qingdao_rows()
    by_date: dict[dt.date, float] = {}
    pv = 0.0
    for c in contracts:
        cash = contract_cash(c, QD_CUTOFF)
        pv += round(present_value(cash, QD_CUTOFF, QD_DISCOUNT), 2)
        for d, v in cash:
            by_date[d] = by_date.get(d, 0.0) + v
    to_2029 = sum(v for d, v in by_date.items() if d <= QD_SIZING_END)
    quarters = [v for d, v in sorted(by_date.items()) if d <= QD_SIZING_END]
    return {
        "cash_to_2029_06_30": to_2029,
        "cash_total": sum(by_date.values()),
        "pv_total": pv,
        "quarter_min": min(quarters),
        "quarter_max": max(quarters),
        "quarters_to_2029_06_30": float(len(quarters)),
    }


# --------------------------------------------------------------------------------------------
# rugao-labelled

RG_GUARANTOR = "中证信用增进股份有限公司"
RG_REGION = "江苏省南通市如皋市"
RG_CREDITORS = (
    "如皋某建设工程有限公司（示例）",
    "南通某数据科技有限公司（示例）",
    "如皋某智慧城市科技有限公司（示例）",
)
#: (name, industry, rating)
RG_DEBTORS = (
    ("如皋市某城建投资集团有限公司（示例）", "建筑业", "AA+"),
    ("如皋市某交通产业集团有限公司（示例）", "交通运输、仓储和邮政业", "AA"),
    ("如皋市某水务集团有限公司（示例）", "水利、环境和公共设施管理业", "AA"),
    ("如皋市某经济开发区投资有限公司（示例）", "建筑业", "AA"),
    ("如皋市某港城实业集团有限公司（示例）", "交通运输、仓储和邮政业", "AA"),
)
#: (amount in fen, creditor, debtor, pledged). Pledged 6,711,180,000 fen of 13,300,000,000:
#: 10000 × 6,711,180,000 = 5046 × 13,300,000,000 exactly (50.46%).
RG_RECEIVABLES: tuple[tuple[int, int, int, bool], ...] = (
    (1_986_000_000, 1, 0, True),
    (1_742_560_000, 1, 1, True),
    (1_631_890_000, 1, 2, True),
    (1_350_730_000, 2, 3, True),
    (1_300_000_000, 0, 0, False),
    (1_245_000_000, 0, 4, False),
    (1_123_820_000, 0, 1, False),
    (1_060_000_000, 0, 3, False),
    (980_000_000, 0, 4, False),
    (880_000_000, 2, 2, False),
)
RG_HEADERS = (
    "资产编号",
    "债权人",
    "债务人",
    "资产类型",
    "数据资产关联",
    "入池金额(元)",
    "起始日",
    "到期日",
    "利率",
    "还款频率",
    "还本方式",
    "地区",
    "行业",
    "债务人资信评级",
    "是否关联交易",
    "增信机构",
    "数据资产登记编号",
    "质押登记信息",
    "年违约概率",
    "回收率",
)


def _slash_date(day: dt.date) -> str:
    return f"{day.year}/{day.month}/{day.day}"


def _thousands(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def rugao_rows() -> list[list[str]]:
    """Header + data rows of the Rugao tape."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(1,)))
    rows: list[list[str]] = [list(RG_HEADERS)]
    for i, (fen, creditor, debtor, pledged) in enumerate(RG_RECEIVABLES, start=1):
        name, industry, rating = RG_DEBTORS[debtor]
        start = dt.date(2024, 3, 1) + dt.timedelta(days=int(rng.integers(0, 390)))
        maturity = month_end(2026, 3) + dt.timedelta(days=int(rng.integers(0, 366)))
        rate = round(float(rng.uniform(4.2, 5.0)) * 20) / 20  # steps of 0.05%
        rows.append(
            [
                f"RG{i:03d}",
                RG_CREDITORS[creditor],
                name,
                "应收账款",
                "质押" if pledged else "无",
                _thousands(fen),
                _slash_date(start),
                _slash_date(maturity),
                f"{rate:.2f}%",
                "按季",
                "到期一次还本",
                RG_REGION,
                industry,
                rating,
                "否",
                RG_GUARANTOR,
                f"苏数登(2025)第{i:04d}号" if pledged else "",
                f"中登网动产融资统一登记 质押登记编号 2025040{i:02d}0001（示例）"
                if pledged
                else "",
                "0.80%",
                "40%",
            ]
        )
    return rows


def rugao_bytes() -> bytes:
    """The Rugao tape: GBK, Chinese headers, amounts with thousands separators."""
    return _csv_text(rugao_rows()).encode("gbk")


# --------------------------------------------------------------------------------------------
# tianfeng-enabled

TF_CUTOFF = dt.date(2025, 6, 10)
TF_TOTAL_FEN = 52_000_000_000  # 5.2亿元
TF_COUNT = 120
#: (name, region, industry, rating, target share of the pool)
TF_PAYERS = (
    ("中国某建工集团有限公司（示例）", "北京市", "建筑业", "AAA", 0.135),
    ("中国某铁路工程局集团有限公司（示例）", "天津市", "建筑业", "AAA", 0.125),
    ("中国某交通建设集团有限公司（示例）", "北京市", "建筑业", "AAA", 0.115),
    ("中国某冶金科工集团有限公司（示例）", "湖北省", "建筑业", "AAA", 0.10),
    ("中国某水利水电建设集团有限公司（示例）", "四川省", "建筑业", "AAA", 0.09),
    (
        "中国某电力建设集团有限公司（示例）",
        "陕西省",
        "电力、热力、燃气及水生产和供应业",
        "AAA",
        0.085,
    ),
    ("中国某化学工程集团有限公司（示例）", "湖南省", "建筑业", "AA+", 0.075),
    ("某省交通投资集团有限公司（示例）", "广东省", "交通运输、仓储和邮政业", "AAA", 0.07),
    ("某市城市建设投资集团有限公司（示例）", "重庆市", "建筑业", "AA+", 0.06),
    (
        "中国某能源建设集团有限公司（示例）",
        "江苏省",
        "电力、热力、燃气及水生产和供应业",
        "AAA",
        0.055,
    ),
    ("中国某核工业建设集团有限公司（示例）", "上海市", "建筑业", "AAA", 0.05),
    ("中国某航空港建设集团有限公司（示例）", "河南省", "建筑业", "AA+", 0.04),
)
TF_SUPPLIER_PROVINCES = ("湖北", "四川", "广东", "江苏", "浙江", "河南", "湖南", "陕西")
TF_SUPPLIER_TRADES = ("建材", "钢结构", "机电设备", "劳务", "混凝土")
TF_HEADERS = (
    "资产编号",
    "原始权益人",
    "债务人名称",
    "资产类型",
    "数据资产关联",
    "入池本金余额",
    "起始日",
    "到期日",
    "利率",
    "还款频率",
    "还本方式",
    "地区",
    "行业",
    "债务人资信评级",
    "是否关联交易",
    "年违约概率",
    "回收率",
)


@dataclass
class _Receivable:
    fen: int
    payer: int
    supplier: str
    start: dt.date
    maturity: dt.date
    rate: float


def tianfeng_receivables() -> list[_Receivable]:
    """The 120 Tianfeng receivables (amounts sum to exactly 5.2亿元)."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(2,)))
    suppliers = [
        f"{p}某{t}有限公司（示例）" for p in TF_SUPPLIER_PROVINCES for t in TF_SUPPLIER_TRADES
    ]
    raw = rng.lognormal(0.0, 0.6, TF_COUNT)
    fen = [round(float(x)) for x in raw / raw.sum() * TF_TOTAL_FEN]
    fen[int(np.argmax(fen))] += TF_TOTAL_FEN - sum(fen)
    # greedy: the largest receivable goes to the payer furthest below its target share
    assigned = [0] * len(TF_PAYERS)
    payer_of = [0] * TF_COUNT
    for i in sorted(range(TF_COUNT), key=lambda j: (-fen[j], j)):
        gaps = [TF_PAYERS[p][4] * TF_TOTAL_FEN - assigned[p] for p in range(len(TF_PAYERS))]
        best = max(range(len(TF_PAYERS)), key=lambda p: (gaps[p], -p))
        payer_of[i] = best
        assigned[best] += fen[i]
    supplier_order = [int(x) for x in rng.permutation(len(suppliers))]
    out: list[_Receivable] = []
    earliest, latest = dt.date(2024, 10, 1), TF_CUTOFF
    for i in range(TF_COUNT):
        start = earliest + dt.timedelta(days=int(rng.integers(0, (latest - earliest).days + 1)))
        maturity = start + dt.timedelta(days=int(rng.integers(240, 480)))
        maturity = min(max(maturity, dt.date(2025, 9, 1)), dt.date(2026, 6, 30))
        out.append(
            _Receivable(
                fen=fen[i],
                payer=payer_of[i],
                supplier=suppliers[supplier_order[i % len(suppliers)]],
                start=start,
                maturity=maturity,
                rate=round(float(rng.uniform(3.0, 4.0)), 2) / 100,
            )
        )
    return out


def tianfeng_bytes() -> bytes:
    """The Tianfeng tape: XLSX, one sheet 资产明细, Chinese headers, date and number cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties(
        {
            "title": "天风中投保应收账款2期（示例）资产明细",
            "author": "dabs tools/make_example_tapes.py",
            "created": dt.datetime(2025, 6, 10),
        }
    )
    sheet = workbook.add_worksheet("资产明细")
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    pct_format = workbook.add_format({"num_format": "0.00%"})
    for j, header in enumerate(TF_HEADERS):
        sheet.write_string(0, j, header, bold)
    for i, r in enumerate(tianfeng_receivables(), start=1):
        name, region, industry, rating, _ = TF_PAYERS[r.payer]
        sheet.write_string(i, 0, f"TF{i:04d}")
        sheet.write_string(i, 1, r.supplier)
        sheet.write_string(i, 2, name)
        sheet.write_string(i, 3, "应收账款")
        sheet.write_string(i, 4, "无")
        sheet.write_number(i, 5, r.fen / 100, money_format)
        sheet.write_datetime(i, 6, dt.datetime.combine(r.start, dt.time()), date_format)
        sheet.write_datetime(i, 7, dt.datetime.combine(r.maturity, dt.time()), date_format)
        sheet.write_number(i, 8, r.rate, pct_format)
        sheet.write_string(i, 9, "到期一次")
        sheet.write_string(i, 10, "到期一次还本")
        sheet.write_string(i, 11, region)
        sheet.write_string(i, 12, industry)
        sheet.write_string(i, 13, rating)
        sheet.write_string(i, 14, "否")
        sheet.write_number(i, 15, 0.004 if rating == "AAA" else 0.006, pct_format)
        sheet.write_number(i, 16, 0.4, pct_format)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 2, 36)
    sheet.set_column(3, 16, 14)
    workbook.close()
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# scf-revolving-labelled: a revolving supply-chain receivables pool, data-pledged share ~51.7%

SCF_CUTOFF = dt.date(2025, 6, 30)
SCF_COUNT = 90
#: Target data-linked (pledged) share of every maturity bucket: the share stays near 51.4%
#: while the pool runs off, so only the replenishment moves it.
SCF_SHARE = 0.514
SCF_DEBTORS = (
    "建设集团", "交通投资", "城市发展", "水务集团", "能源", "港务", "产业投资", "医药集团",
    "轨道交通", "钢铁", "汽车零部件", "电子科技", "纺织", "化工", "粮食物流", "冷链", "电力工程",
    "环保科技", "建材", "智能制造",
)  # fmt: skip
SCF_REGIONS = ("江苏省南京市", "江苏省苏州市", "江苏省无锡市", "江苏省南通市", "江苏省常州市")
SCF_INDUSTRIES = (
    "建筑业",
    "制造业",
    "交通运输、仓储和邮政业",
    "电力、热力、燃气及水生产和供应业",
    "批发和零售业",
)
SCF_HEADERS = (
    "asset_id", "obligor", "asset_type", "data_link", "amount", "start_date", "maturity_date",
    "originator", "region", "industry", "rate", "amortization", "registration_id",
    "pledge_registration", "pd", "recovery_rate",
)  # fmt: skip


def scf_bytes() -> bytes:
    """The revolving example's tape: 90 bullet receivables of 2–8 million, 1–6 months left;
    receivables of the 15 suppliers who pledged data assets are pledged, assigned in maturity
    order so that every maturity bucket holds about :data:`SCF_SHARE`. UTF-8, English headers."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(3,)))
    rows = []
    for i in range(SCF_COUNT):
        amount = round(float(rng.uniform(2.0e6, 8.0e6)), 2)
        start = SCF_CUTOFF - dt.timedelta(days=int(rng.integers(5, 120)))
        maturity = SCF_CUTOFF + dt.timedelta(days=int(rng.integers(25, 185)))
        rows.append(
            {
                "asset_id": f"SCF{i + 1:03d}",
                "obligor": f"江苏某{SCF_DEBTORS[int(rng.integers(0, 20))]}有限公司（示例）",
                "amount": amount,
                "start": start,
                "maturity": maturity,
                "region": SCF_REGIONS[int(rng.integers(0, 5))],
                "industry": SCF_INDUSTRIES[int(rng.integers(0, 5))],
            }
        )
    total = linked = 0.0
    for k, r in enumerate(sorted(rows, key=lambda r: (r["maturity"], r["asset_id"]))):
        a = float(r["amount"])
        pledged = linked + a / 2 <= SCF_SHARE * (total + a)
        total += a
        linked += a if pledged else 0.0
        supplier = (k % 15) + (1 if pledged else 16)
        r["pledged"] = pledged
        r["supplier"] = supplier
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SCF_HEADERS)
    for r in rows:
        n = r["supplier"]
        writer.writerow(
            [
                r["asset_id"],
                r["obligor"],
                "receivable",
                "pledged" if r["pledged"] else "none",
                f"{r['amount']:.2f}",
                r["start"].isoformat(),
                r["maturity"].isoformat(),
                f"某供应商{n:02d}有限公司（示例）",
                r["region"],
                r["industry"],
                "0.055",
                "bullet",
                f"苏数登(2025)第{n:04d}号" if r["pledged"] else "",
                f"中登网动产融资统一登记 质押登记编号 2025{n:04d}（示例）" if r["pledged"] else "",
                "0.012",
                "0.35",
            ]
        )
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------


def build_all() -> dict[Path, bytes]:
    """Every example tape: path → exact file content."""
    return {
        EXAMPLES / "qingdao-pure" / "tape.csv": qingdao_bytes(),
        EXAMPLES / "rugao-labelled" / "tape.csv": rugao_bytes(),
        EXAMPLES / "tianfeng-enabled" / "tape.xlsx": tianfeng_bytes(),
        EXAMPLES / "scf-revolving-labelled" / "tape.csv": scf_bytes(),
    }


def main(argv: list[str] | None = None) -> int:
    """Write (or ``--check``) the example tapes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument("--stats", action="store_true", help="print the Qingdao sizing figures")
    args = parser.parse_args(argv)
    if args.stats:
        for key, value in qingdao_stats().items():
            print(f"{key:>26}: {value:,.2f}")
        return 0
    changed = []
    for path, data in build_all().items():
        if not path.exists() or path.read_bytes() != data:
            changed.append(path)
            if not args.check:
                path.write_bytes(data)
    for path in changed:
        print(f"{'would change' if args.check else 'wrote'} {path.relative_to(ROOT)}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
