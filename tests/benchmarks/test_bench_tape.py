"""Benchmarks: read + validate a 100,000-row tape; classify and stratify the pool.

Run: ``.venv/bin/pytest tests/benchmarks/test_bench_tape.py -o addopts="" --benchmark-only -q``.
Baselines in the same run: ``pandas.read_csv`` of the same bytes (parsing only, no validation)
and per-row ``Asset.model_validate`` of already-typed rows (pydantic's own validation cost).

XLSX (issue 17): the real-tape size, 200,000 rows as Excel stores them (numbers as numbers,
dates as date cells), read by ``read_tape_bytes`` (limits checked, then python-calamine), with
the reader it replaced as the baseline in the same run: openpyxl read-only, values only, no
validation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abs.asset import Asset, Pool
from abs.classify import classify
from abs.stratify import stratify
from abs.tape import read_tape_bytes

N_ROWS = 100_000
HEADER = [
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
    "数据资产登记编号",
    "登记机构",
    "评估方法",
    "评估价值",
    "年违约概率",
    "回收率",
]
_KINDS = ["应收账款", "数据授权", "算法服务", "数据产品/API", "租赁租金"]
_LINKS = ["无", "质押", "直接"]
_REGIONS = ["山东省", "江苏省", "广东省", "北京市", "上海市", "四川省"]
_INDUSTRIES = ["建筑业", "金融业", "交通运输、仓储和邮政业", "卫生和社会工作"]
_RATINGS = ["AAA", "AA+", "AA", "AA-"]


def _tape_bytes(n: int, seed: int = 7) -> bytes:
    rng = np.random.default_rng(seed)
    amounts = np.round(rng.lognormal(13.0, 1.0, n), 2)
    starts = rng.integers(0, 700, n)
    terms = rng.integers(90, 1800, n)
    base = dt.date(2023, 1, 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(n):
        start = base + dt.timedelta(days=int(starts[i]))
        link = _LINKS[i % 3]
        writer.writerow(
            [
                f"BM{i:06d}",
                f"某债权人{i % 300:03d}（示例）",
                f"某债务人{i % 5000:04d}（示例）",
                _KINDS[i % len(_KINDS)] if link != "质押" else "应收账款",
                link,
                f"{amounts[i]:,.2f}",
                start.isoformat(),
                (start + dt.timedelta(days=int(terms[i]))).strftime("%Y/%m/%d"),
                f"{3 + (i % 300) / 100:.2f}%",
                "按季",
                "到期一次还本",
                _REGIONS[i % len(_REGIONS)],
                _INDUSTRIES[i % len(_INDUSTRIES)],
                _RATINGS[i % len(_RATINGS)],
                "否",
                f"青数登(2025)第{i:06d}号" if link == "直接" else "",
                "青岛数据资产登记评价中心" if link == "直接" else "",
                "收益法" if link == "直接" else "",
                f"{amounts[i] * 1.05:.2f}" if link == "直接" else "",
                "1.2%",
                "40%",
            ]
        )
    return buffer.getvalue().encode("gbk")


N_XLSX_ROWS = 200_000


def _tape_xlsx(n: int, seed: int = 7) -> bytes:
    import xlsxwriter

    rng = np.random.default_rng(seed)
    amounts = np.round(rng.lognormal(13.0, 1.0, n), 2)
    starts = rng.integers(0, 700, n)
    terms = rng.integers(90, 1800, n)
    base = dt.datetime(2023, 1, 1)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("资产明细")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for i in range(n):
        link = _LINKS[i % 3]
        start = base + dt.timedelta(days=int(starts[i]))
        direct = link == "直接"
        r = i + 1
        sheet.write_row(
            r,
            0,
            [
                f"BM{i:06d}",
                f"某债权人{i % 300:03d}（示例）",
                f"某债务人{i % 5000:04d}（示例）",
                _KINDS[i % len(_KINDS)] if link != "质押" else "应收账款",
                link,
                float(amounts[i]),
            ],
        )
        sheet.write_datetime(r, 6, start, date_format)
        sheet.write_datetime(r, 7, start + dt.timedelta(days=int(terms[i])), date_format)
        sheet.write_row(
            r,
            8,
            [
                0.03 + (i % 300) / 10_000,
                "按季",
                "到期一次还本",
                _REGIONS[i % len(_REGIONS)],
                _INDUSTRIES[i % len(_INDUSTRIES)],
                _RATINGS[i % len(_RATINGS)],
                "否",
                f"青数登(2025)第{i:06d}号" if direct else "",
                "青岛数据资产登记评价中心" if direct else "",
                "收益法" if direct else "",
                round(float(amounts[i]) * 1.05, 2) if direct else "",
                0.012,
                0.4,
            ],
        )
    book.close()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tape_xlsx() -> bytes:
    return _tape_xlsx(N_XLSX_ROWS)


def test_bench_read_xlsx_200k(benchmark: Any, tape_xlsx: bytes) -> None:
    result = benchmark.pedantic(
        read_tape_bytes, args=(tape_xlsx,), kwargs={"filename": "bench.xlsx"}, rounds=3
    )
    assert len(result) == N_XLSX_ROWS


def test_bench_baseline_openpyxl_values_200k(benchmark: Any, tape_xlsx: bytes) -> None:
    from openpyxl import load_workbook

    def parse() -> int:
        book = load_workbook(io.BytesIO(tape_xlsx), read_only=True, data_only=True)
        try:
            return sum(1 for _ in book["资产明细"].iter_rows(values_only=True))
        finally:
            book.close()

    rows = benchmark.pedantic(parse, rounds=2)
    assert rows == N_XLSX_ROWS + 1


@pytest.fixture(scope="module")
def tape() -> bytes:
    return _tape_bytes(N_ROWS)


@pytest.fixture(scope="module")
def pool(tape: bytes) -> Pool:
    return read_tape_bytes(tape, filename="bench.csv")


def test_bench_read_tape_100k(benchmark: Any, tape: bytes) -> None:
    result = benchmark(read_tape_bytes, tape, filename="bench.csv")
    assert len(result) == N_ROWS


def test_bench_baseline_pandas_read_csv_100k(benchmark: Any, tape: bytes) -> None:
    def parse() -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(tape), encoding="gb18030", dtype=str, keep_default_na=False)

    frame = benchmark(parse)
    assert len(frame) == N_ROWS


def test_bench_baseline_pydantic_per_row_100k(benchmark: Any, pool: Pool) -> None:
    rows = [a.model_dump() for a in pool.assets]

    def validate() -> list[Asset]:
        return [Asset.model_validate(r) for r in rows]

    assets = benchmark.pedantic(validate, rounds=3, iterations=1)
    assert assets == list(pool.assets)


def test_bench_classify_100k(benchmark: Any, pool: Pool) -> None:
    result = benchmark(classify, pool, legal_maturity=dt.date(2030, 1, 1))
    assert result.asset_count == N_ROWS


def test_bench_stratify_100k(benchmark: Any, pool: Pool) -> None:
    result = benchmark(stratify, pool, as_of=dt.date(2025, 3, 31))
    assert result.summary.asset_count == N_ROWS
