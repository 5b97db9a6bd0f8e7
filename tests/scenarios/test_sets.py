"""Built-in and user scenario sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abs.asset import Pool
from abs.assumptions import Stress
from abs.errors import ScenarioError
from scenarios import sets as sets_mod
from tests.scenarios.helpers import asset, deal_with


def test_builtin_sets_have_the_four_levels_with_sources() -> None:
    builtin = sets_mod.builtin_sets()
    assert set(builtin) == {"data", "receivable", "revolving"}
    for name, chosen in builtin.items():
        extra = ["回款加快"] if name == "revolving" else []
        assert chosen.names == ["基准", "轻度", "中度", "重度", *extra]
        assert chosen.scenarios[0].factors == {}
        for sc in chosen.scenarios:
            assert set(sc.sources) == set(sc.factors)
            cited = ("DOMAIN.md", "issue 14", "dabs [I]")
            assert all(any(c in src for c in cited) for src in sc.sources.values())


def test_builtin_revolving_values_match_issue_14() -> None:
    # issue 14: monthly payment rate ±20/30%, yield −20/30/50%, 循环购买率 −50%
    rv = sets_mod.load_scenario_set("循环购买")
    f = [sc.factors for sc in rv.scenarios]
    assert [x.get("payment_rate_change", 0.0) for x in f] == [0.0, -0.2, -0.3, -0.3, 0.3]
    assert [x.get("revolving_yield_haircut", 0.0) for x in f] == [0.0, 0.2, 0.3, 0.5, 0.0]
    assert [x.get("revolving_rate_haircut", 0.0) for x in f] == [0.0, 0.0, 0.5, 0.5, 0.0]
    assert rv.get("重度").factors["data_supply_haircut"] == 0.2


def test_builtin_data_values_match_domain_md() -> None:
    # DOMAIN.md [I] data revenues: revenue −20/−30/−50%, licensee default ×1.5/×2/×3,
    # collections 3–6 months late, renewal −20pp, coupon +50bp.
    data = sets_mod.load_scenario_set("data")
    hc = [sc.factors.get("revenue_haircut", 0.0) for sc in data.scenarios]
    pd = [sc.factors.get("pd_multiplier", 1.0) for sc in data.scenarios]
    assert hc == [0.0, 0.2, 0.3, 0.5]
    assert pd == [1.0, 1.5, 2.0, 3.0]
    severe = data.get("重度")
    assert severe.factors["collection_delay_months"] == 6
    assert severe.factors["renewal_change_pp"] == -20
    assert severe.factors["rate_shift_bp"] == 50
    rec = sets_mod.load_scenario_set("应收账款")
    assert [sc.factors.get("recovery_haircut", 0.0) for sc in rec.scenarios] == [0, 0.2, 0.3, 0.5]


def test_months_delay_becomes_periods_of_the_deal() -> None:
    quarterly = deal_with(None)
    monthly = deal_with(None, dates={**quarterly.dates.model_dump(), "frequency": "monthly"})
    severe = sets_mod.load_scenario_set("data").get("severe")
    assert severe.stress(quarterly).collection_delay == 2  # 6 months / 3 = 2 periods
    assert severe.stress(monthly).collection_delay == 6
    assert severe.stress(quarterly).revenue_haircut == 0.5
    with pytest.raises(
        ScenarioError, match=r"scenario 重度: factor 'collection_delay_months' needs"
    ):
        severe.stress(None)


def test_stress_keeps_the_base_for_other_factors() -> None:
    base = Stress(guarantor_default=True, recovery_haircut=0.1)
    out = sets_mod.load_scenario_set("data").get("轻度").stress(deal_with(None), base=base)
    assert out.guarantor_default and out.recovery_haircut == 0.1 and out.revenue_haircut == 0.2
    assert base == Stress(guarantor_default=True, recovery_haircut=0.1)


def test_default_set_threshold_is_exact_in_fen() -> None:
    # direct 50.00 of 100.00 → data; 49.99 of 99.99 + ... → receivable.
    at = Pool(assets=(asset("D", amount=50.0), asset("R", amount=50.0, data_link="none")))
    below = Pool(assets=(asset("D", amount=49.99), asset("R", amount=50.01, data_link="none")))
    pledged = Pool(assets=(asset("P", amount=90.0, data_link="pledged"), asset("D", amount=10.0)))
    assert sets_mod.default_set_for(deal_with(at)).name == "data"
    assert sets_mod.default_set_for(deal_with(below)).name == "receivable"
    assert sets_mod.default_set_for(deal_with(pledged)).name == "receivable"
    assert sets_mod.default_set_for(deal_with(None)).name == "receivable"
    assert sets_mod.direct_data_share_fen(below) == (4999, 10000)


def test_select_and_unknown_names() -> None:
    data = sets_mod.load_scenario_set("data")
    assert data.select(["重度", "base"]).names == ["重度", "基准"]
    with pytest.raises(
        ScenarioError, match=r"scenario set data \(built-in\): no scenario named '极端'"
    ):
        data.select(["极端"])
    with pytest.raises(ScenarioError, match=r"scenario set data: no scenario selected"):
        data.select([" "])
    assert sets_mod.scenario_names("receivable") == ["基准", "轻度", "中度", "重度"]


def test_scenario_stress_for_dabs_run() -> None:
    d = deal_with(Pool(assets=(asset("D", amount=100.0),)))
    assert sets_mod.scenario_stress(d, "中度").collection_delay == 1
    assert sets_mod.scenario_stress(d, "基准") == Stress()


def test_user_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "my.json"
    path.write_text(
        json.dumps(
            {
                "name": "mine",
                "scenarios": [
                    {"name": "A", "factors": {"收入下降": 0.4, "pd_multiplier": {"value": 4}}},
                    {"name": "B", "en": "b", "factors": {"originator_default": "on"}},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    got = sets_mod.load_scenario_set(path)
    assert got.name == "mine" and got.names == ["A", "B"]
    assert got.get("A").factors == {"revenue_haircut": 0.4, "pd_multiplier": 4.0}
    assert got.get("A").sources["pd_multiplier"] == "user input"
    assert got.get("b").stress().originator_default is True


def test_user_list_json_and_multi_set_file(tmp_path: Path) -> None:
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps([{"name": "X", "factors": {"pd_multiplier": 2}}]), encoding="utf-8")
    assert sets_mod.load_scenario_set(lst).names == ["X"]
    multi = tmp_path / "multi.json"
    builtin = Path(sets_mod.__file__).parent / "data" / sets_mod.BUILTIN_FILE
    multi.write_bytes(builtin.read_bytes())
    with pytest.raises(
        ScenarioError, match=r"holds 3 sets \['data', 'receivable', 'revolving'\]; choose one"
    ):
        sets_mod.load_scenario_set(multi)
    assert sets_mod.load_scenario_set(f"{multi}#receivable").names[-1] == "重度"
    with pytest.raises(ScenarioError, match=r"no set named 'x'; sets are"):
        sets_mod.load_scenario_set(f"{multi}#x")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", r"bad\.json: not valid JSON"),
        ("[]", r"bad\.json: the scenario list is empty"),
        ('{"sets": [], "schema_version": "1"}', r"'sets' must be a non-empty list"),
        ('{"sets": [{}], "schema_version": "9"}', r"schema_version '9' is not supported"),
        (
            '{"name": "s", "scenarios": [{"name": "A", "factors": {"pd": "x"}}]}',
            r"bad\.json: set\.scenarios\[0\]\.factors\.pd: factor 'pd_multiplier'.*got 'x'",
        ),
        (
            '{"name": "s", "scenarios": [{"name": "A", "factors": {"foo": 1}}]}',
            r"scenarios\[0\]\.factors\.foo: unknown stress factor 'foo'",
        ),
        (
            '{"name": "s", "scenarios": [{"name": "A"}, {"name": "a"}]}',
            r"scenario name 'a' used more than once",
        ),
        ('{"name": "s", "scenarios": [{"name": ""}]}', r"scenarios\[0\]\.name: a scenario needs"),
        ('{"name": "s", "scenarios": [{"name": "A", "x": 1}]}', r"unknown key\(s\) \['x'\]"),
        (
            '{"name": "s", "scenarios": [{"name": "A", "factors": {"pd": {"v": 1}}}]}',
            r"factors\.pd: a factor entry is a number or",
        ),
        (
            '{"name": "s", "scenarios": [{"name": "A", "factors": '
            '{"collection_delay": 1, "collection_delay_months": 3}}]}',
            r"collection_delay_months: factor 'collection_delay_months' given twice",
        ),
        ('{"name": "s", "scenarios": 3}', r"\.scenarios: must be a non-empty list; got 3"),
        ('{"scenarios": []}', r"\.name: a scenario set needs a non-empty name"),
        ('"text"', r"expected an object or a list; got str"),
    ],
)
def test_user_json_errors_name_the_place(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        sets_mod.load_scenario_set(path)


def test_user_csv_long_format(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "情景,因子,数值,来源\n基准,,,\n压力,收入下降,0.35,委员会要求\n压力,回款延迟(月),3,\n",
        encoding="utf-8-sig",
    )
    got = sets_mod.load_scenario_set(path)
    assert got.names == ["基准", "压力"]
    sc = got.get("压力")
    assert sc.factors == {"revenue_haircut": 0.35, "collection_delay_months": 3}
    assert sc.sources["revenue_haircut"] == "委员会要求"
    assert sc.sources["collection_delay_months"] == "grid.csv row 4"
    assert sc.stress(deal_with(None)).collection_delay == 1


def test_user_csv_gbk(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("scenario,factor,value\n重度,违约率倍数,4\n".encode("gbk"))
    assert sets_mod.load_scenario_set(path).get("重度").factors == {"pd_multiplier": 4.0}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"bad\.csv: the CSV file is empty"),
        ("scenario,value\nA,1\n", r"bad\.csv: row 1: missing column 'factor' \(or '因子'\)"),
        ("scenario,factor,value\n,pd,1\n", r"row 2, column 'scenario': empty scenario name"),
        ("scenario,factor,value\nA,pd,-3\n", r"row 2, column 'value': factor 'pd_multiplier'"),
        ("scenario,factor,value\nA,zz,1\n", r"row 2, column 'factor': unknown stress factor 'zz'"),
        (
            "scenario,factor,value\nA,pd,1\nA,pd,2\n",
            r"row 3, column 'factor': factor 'pd_multiplier' repeated for scenario 'A'",
        ),
        (
            "scenario,factor,value\nA,collection_delay,1\nA,collection_delay_months,3\n",
            r"scenario 'A': collection_delay and collection_delay_months are the same factor",
        ),
    ],
)
def test_user_csv_errors_name_row_and_column(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        sets_mod.load_scenario_set(path)


def test_unknown_name_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(
        ScenarioError, match=r"nope: not a built-in scenario set \(data, receivable\)"
    ):
        sets_mod.load_scenario_set("nope")
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"x\.txt: scenario files are \.json or \.csv; got '\.txt'"
    ):
        sets_mod.load_scenario_set(other)


def test_scenario_from_factors_names_itself() -> None:
    sc = sets_mod.scenario_from_factors({"收入下降": 0.3, "originator_default": True})
    assert sc.name == "revenue_haircut=0.3, originator_default=on"
    assert sets_mod.scenario_from_factors({}).name == "基准"
    assert sets_mod.scenario_from_factors({"pd": 2}, name="x").label == "x"
