"""Scenario sets (压力情景集): built-in 基准/轻度/中度/重度 sets and user files of that shape.

The built-in sets live in the package data file ``scenarios/data/stress_sets-1.json`` (one set
for data-revenue pools, ``data``, and one for receivable pools, ``receivable``); every value
carries a ``source`` string. Users pass their own file (JSON of the same shape, or a long CSV with
columns ``set, scenario, scenario_en, factor, value, source``) to :func:`load_scenario_set`.

A scenario is a set of factor values (see :mod:`scenarios.factors`); :meth:`Scenario.stress`
turns it into a :class:`abs.assumptions.Stress` for one deal (a months delay becomes whole
payment periods of that deal). Nothing here modifies a deal or its assumptions.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from abs.asset import Pool
from abs.assumptions import Stress
from abs.deal import Deal
from abs.enums import DataLink
from abs.errors import ScenarioError
from scenarios.factors import DELAY_MONTHS, FACTOR_BY_ID, factor_id, normalise

#: Package data file of the built-in sets (the ``-1`` is its schema version).
BUILTIN_FILE = "stress_sets-1.json"
#: Schema version this loader reads.
SCHEMA_VERSION = "1"
#: Built-in set for data-revenue pools.
DATA_SET = "data"
#: Built-in set for receivable pools.
RECEIVABLE_SET = "receivable"
#: Built-in set for revolving deals (循环购买).
REVOLVING_SET = "revolving"
#: Data-linked ``direct`` share at or above which the data set is the default.
DATA_SHARE_THRESHOLD_FEN = (1, 2)  # 50%, compared exactly in integer fen

#: Long CSV columns (English, Chinese).
COL_SET = ("set", "情景集")
COL_SCENARIO = ("scenario", "情景")
COL_SCENARIO_EN = ("scenario_en", "情景英文名")
COL_FACTOR = ("factor", "因子")
COL_VALUE = ("value", "数值")
COL_SOURCE = ("source", "来源")

_SET_ALIASES = {
    DATA_SET: ("data", "数据", "数据收入", "数据收入类", "数据收入类资产池", "data-revenue"),
    RECEIVABLE_SET: ("receivable", "receivables", "应收", "应收账款", "应收账款类资产池"),
    REVOLVING_SET: ("revolving", "循环", "循环购买", "循环购买类资产池"),
}


@dataclass(frozen=True)
class Scenario:
    """One named scenario: factor values (checked) and where each value comes from.

    Attributes
    ----------
    name : str
        Name shown to structurers (基准, 轻度 ... or a user name).
    en : str or None
        English name.
    factors : dict
        Factor id → value; ``collection_delay_months`` stays in months until :meth:`stress`.
    sources : dict
        Factor id → source string (DOMAIN.md reference or the user file).
    """

    name: str
    en: str | None = None
    factors: Mapping[str, float | int | bool] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``中文 (english)`` or the name alone."""
        return f"{self.name} ({self.en})" if self.en else self.name

    def stress(self, deal: Deal | None = None, *, base: Stress | None = None) -> Stress:
        """This scenario as a :class:`Stress` for ``deal`` (a copy of ``base`` with the factors).

        Parameters
        ----------
        deal : Deal, optional
            Needed when the scenario gives ``collection_delay_months`` (its frequency converts
            months into whole payment periods, rounded up).
        base : Stress, optional
            Factors not set by the scenario keep their value here (default: none).

        Raises
        ------
        ScenarioError
            A months delay without a deal, or an invalid value.
        """
        months = deal.dates.frequency.months if deal is not None else None
        values = normalise(self.factors, months_per_period=months, where=f"scenario {self.name}")
        start = base if base is not None else Stress()
        data = start.model_dump()
        data.update(values)
        return Stress.model_validate(data)


@dataclass(frozen=True)
class ScenarioSet:
    """An ordered set of scenarios (e.g. 基准/轻度/中度/重度).

    Attributes
    ----------
    name : str
        Set id (``data``, ``receivable`` or the user's).
    zh, en : str
        Display names.
    scenarios : tuple of Scenario
        In display order; names are unique.
    source : str
        ``built-in`` or the file it was read from.
    """

    name: str
    scenarios: tuple[Scenario, ...]
    zh: str = ""
    en: str = ""
    source: str = "built-in"

    @property
    def names(self) -> list[str]:
        """Scenario names in order."""
        return [s.name for s in self.scenarios]

    def get(self, name: str) -> Scenario:
        """The scenario called ``name`` (its name or English name, case-insensitive).

        Raises
        ------
        ScenarioError
            If no scenario has that name (the message lists them).
        """
        key = name.strip().lower()
        for s in self.scenarios:
            if s.name.lower() == key or (s.en is not None and s.en.lower() == key):
                return s
        raise ScenarioError(
            f"scenario set {self.name} ({self.source}): no scenario named {name!r}; "
            f"scenarios are {self.names}"
        )

    def select(self, names: Iterable[str]) -> ScenarioSet:
        """A set holding only ``names`` (in the order given).

        Raises
        ------
        ScenarioError
            If a name is unknown, or nothing is selected.
        """
        chosen = tuple(self.get(n) for n in names if n.strip())
        if not chosen:
            raise ScenarioError(f"scenario set {self.name}: no scenario selected")
        return ScenarioSet(
            name=self.name, scenarios=chosen, zh=self.zh, en=self.en, source=self.source
        )


# --- parsing ------------------------------------------------------------------------------


def _parse_value(raw: Any, *, where: str) -> tuple[Any, str | None]:
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"value", "source"}
        if unknown or "value" not in raw:
            raise ScenarioError(
                f"{where}: a factor entry is a number or {{'value': ..., 'source': ...}}; "
                f"got keys {sorted(raw)}"
            )
        source = raw.get("source")
        if source is not None and not isinstance(source, str):
            raise ScenarioError(f"{where}.source: must be text; got {source!r}")
        return raw["value"], source
    return raw, None


def _check_factors(
    values: Mapping[str, Any], *, where: str
) -> tuple[dict[str, float | int | bool], dict[str, str]]:
    factors: dict[str, float | int | bool] = {}
    sources: dict[str, str] = {}
    for raw_name, raw in values.items():
        fwhere = f"{where}.{raw_name}"
        fid = factor_id(raw_name, where=fwhere)
        value, source = _parse_value(raw, where=fwhere)
        checker = FACTOR_BY_ID["collection_delay" if fid == DELAY_MONTHS else fid]
        checked = checker.check(value, where=fwhere)
        if fid in factors or {fid, *factors} >= {"collection_delay", DELAY_MONTHS}:
            raise ScenarioError(
                f"{fwhere}: factor '{fid}' given twice (collection_delay and "
                f"{DELAY_MONTHS} are the same factor)"
            )
        factors[fid] = checked
        sources[fid] = source if source is not None else "user input"
    return factors, sources


def _scenario_from_json(item: Any, *, where: str) -> Scenario:
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: a scenario is an object; got {type(item).__name__}")
    unknown = set(item) - {"name", "en", "factors"}
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: name, en, factors"
        )
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}.name: a scenario needs a non-empty name; got {name!r}")
    en = item.get("en")
    if en is not None and not isinstance(en, str):
        raise ScenarioError(f"{where}.en: must be text; got {en!r}")
    raw = item.get("factors", {})
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"{where}.factors: must be an object; got {type(raw).__name__}")
    factors, sources = _check_factors(raw, where=f"{where}.factors")
    return Scenario(name=name.strip(), en=en, factors=factors, sources=sources)


def _set_from_json(item: Any, *, where: str, source: str) -> ScenarioSet:
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: a scenario set is an object; got {type(item).__name__}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}.name: a scenario set needs a non-empty name; got {name!r}")
    raw = item.get("scenarios")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{where}.scenarios: must be a non-empty list; got {raw!r}")
    scenarios = tuple(
        _scenario_from_json(s, where=f"{where}.scenarios[{i}]") for i, s in enumerate(raw)
    )
    _check_unique(scenarios, where=where)
    return ScenarioSet(
        name=name.strip(),
        scenarios=scenarios,
        zh=str(item.get("zh", "")),
        en=str(item.get("en", "")),
        source=source,
    )


def _check_unique(scenarios: Sequence[Scenario], *, where: str) -> None:
    seen: set[str] = set()
    for s in scenarios:
        if s.name.lower() in seen:
            raise ScenarioError(f"{where}: scenario name {s.name!r} used more than once")
        seen.add(s.name.lower())


def parse_sets_json(text: str | bytes, *, source: str) -> list[ScenarioSet]:
    """Scenario sets from JSON text: ``{"sets": [...]}``, one set, or a list of scenarios.

    Raises
    ------
    ScenarioError
        Invalid JSON or an invalid entry (the message gives the path inside the file).
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: not valid JSON: {exc}") from None
    if isinstance(data, list):
        scenarios = tuple(
            _scenario_from_json(s, where=f"{source}: [{i}]") for i, s in enumerate(data)
        )
        if not scenarios:
            raise ScenarioError(f"{source}: the scenario list is empty")
        _check_unique(scenarios, where=source)
        return [ScenarioSet(name=Path(source).stem, scenarios=scenarios, source=source)]
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: expected an object or a list; got {type(data).__name__}")
    if "sets" in data:
        version = str(data.get("schema_version", SCHEMA_VERSION))
        if version != SCHEMA_VERSION:
            raise ScenarioError(
                f"{source}: schema_version {version!r} is not supported; this version reads "
                f"{SCHEMA_VERSION!r}"
            )
        raw = data["sets"]
        if not isinstance(raw, list) or not raw:
            raise ScenarioError(f"{source}: 'sets' must be a non-empty list")
        return [
            _set_from_json(s, where=f"{source}: sets[{i}]", source=source)
            for i, s in enumerate(raw)
        ]
    return [_set_from_json(data, where=f"{source}: set", source=source)]


def _header_index(header: list[str], names: tuple[str, str], *, required: bool, src: str) -> int:
    keys = [h.strip().lower() for h in header]
    for n in names:
        if n.lower() in keys:
            return keys.index(n.lower())
    if required:
        raise ScenarioError(
            f"{src}: row 1: missing column '{names[0]}' (or '{names[1]}'); header is {header}"
        )
    return -1


def parse_sets_csv(text: str, *, source: str) -> list[ScenarioSet]:
    """Scenario sets from a long CSV (one factor value per row).

    Columns: ``scenario`` (情景) and ``factor`` (因子), ``value`` (数值) required; ``set``
    (情景集), ``scenario_en`` (情景英文名), ``source`` (来源) optional. A scenario with no
    factors (a base case) is one row with empty factor and value.

    Raises
    ------
    ScenarioError
        Missing column, unknown factor or bad value; the message names the row and column.
    """
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ScenarioError(f"{source}: the CSV file is empty")
    header = rows[0]
    i_set = _header_index(header, COL_SET, required=False, src=source)
    i_sc = _header_index(header, COL_SCENARIO, required=True, src=source)
    i_en = _header_index(header, COL_SCENARIO_EN, required=False, src=source)
    i_f = _header_index(header, COL_FACTOR, required=True, src=source)
    i_v = _header_index(header, COL_VALUE, required=True, src=source)
    i_src = _header_index(header, COL_SOURCE, required=False, src=source)
    default_set = Path(source).stem
    # set name → scenario name → (en, factors, sources), insertion ordered
    collected: dict[str, dict[str, tuple[str | None, dict[str, Any], dict[str, str]]]] = {}

    def cell(row: list[str], i: int) -> str:
        return row[i].strip() if 0 <= i < len(row) else ""

    for n, row in enumerate(rows[1:], start=2):
        sc = cell(row, i_sc)
        if not sc:
            raise ScenarioError(f"{source}: row {n}, column '{header[i_sc]}': empty scenario name")
        set_name = cell(row, i_set) or default_set
        en = cell(row, i_en) or None
        per_set = collected.setdefault(set_name, {})
        prev_en, factors, sources = per_set.setdefault(sc, (en, {}, {}))
        if en and not prev_en:
            per_set[sc] = (en, factors, sources)
        fname, value = cell(row, i_f), cell(row, i_v)
        if not fname and not value:
            continue
        where = f"{source}: row {n}, column '{header[i_f]}'"
        fid = factor_id(fname, where=where)
        if fid in factors:
            raise ScenarioError(f"{where}: factor '{fid}' repeated for scenario {sc!r}")
        checker = FACTOR_BY_ID["collection_delay" if fid == DELAY_MONTHS else fid]
        factors[fid] = checker.check(value, where=f"{source}: row {n}, column '{header[i_v]}'")
        sources[fid] = cell(row, i_src) or f"{Path(source).name} row {n}"
    out = []
    for set_name, per in collected.items():
        scenarios = tuple(
            Scenario(name=sc, en=en, factors=f, sources=s) for sc, (en, f, s) in per.items()
        )
        for s in scenarios:
            if {"collection_delay", DELAY_MONTHS} <= set(s.factors):
                raise ScenarioError(
                    f"{source}: scenario {s.name!r}: collection_delay and {DELAY_MONTHS} are "
                    f"the same factor; give one"
                )
        out.append(ScenarioSet(name=set_name, scenarios=scenarios, source=source))
    return out


# --- loading ------------------------------------------------------------------------------


@functools.cache
def builtin_sets() -> dict[str, ScenarioSet]:
    """The built-in sets from the package data file, by set id (``data``, ``receivable``)."""
    text = resources.files("scenarios").joinpath("data", BUILTIN_FILE).read_text("utf-8")
    sets = parse_sets_json(text, source=f"scenarios/data/{BUILTIN_FILE}")
    return {s.name: ScenarioSet(s.name, s.scenarios, s.zh, s.en, "built-in") for s in sets}


def _builtin_name(text: str) -> str | None:
    key = text.strip().lower()
    for name, aliases in _SET_ALIASES.items():
        if key in aliases:
            return name
    return None


def load_scenario_set(name_or_path: str | Path) -> ScenarioSet:
    """A scenario set by built-in name or from a user file.

    Parameters
    ----------
    name_or_path : str or Path
        ``data`` / ``receivable`` (or their Chinese names), or a ``.json`` / ``.csv`` file of the
        built-in shape. A file holding several sets needs ``PATH#SET``.

    Returns
    -------
    ScenarioSet

    Raises
    ------
    ScenarioError
        Unknown name, missing file, invalid content, or an ambiguous multi-set file.
    """
    text = str(name_or_path)
    builtin = _builtin_name(text)
    if builtin is not None:
        return builtin_sets()[builtin]
    path_text, _, wanted = text.partition("#")
    path = Path(path_text)
    if not path.is_file():
        raise ScenarioError(
            f"{text}: not a built-in scenario set ({DATA_SET}, {RECEIVABLE_SET}) and no such file"
        )
    suffix = path.suffix.lower()
    if suffix == ".json":
        sets = parse_sets_json(path.read_bytes(), source=str(path))
    elif suffix == ".csv":
        try:
            content = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            content = path.read_bytes().decode("gb18030", errors="strict")
        sets = parse_sets_csv(content, source=str(path))
    else:
        raise ScenarioError(f"{path}: scenario files are .json or .csv; got '{suffix or '(none)'}'")
    if wanted:
        for s in sets:
            if s.name == wanted:
                return s
        raise ScenarioError(f"{path}: no set named {wanted!r}; sets are {[s.name for s in sets]}")
    if len(sets) > 1:
        raise ScenarioError(
            f"{path}: holds {len(sets)} sets {[s.name for s in sets]}; choose one with PATH#SET"
        )
    return sets[0]


def direct_data_share_fen(pool: Pool) -> tuple[int, int]:
    """(data-linked ``direct`` 入池金额, total 入池金额), both in integer fen."""
    direct = sum(a.amount_fen for a in pool.assets if a.data_link is DataLink.DIRECT)
    return direct, sum(a.amount_fen for a in pool.assets)


def default_set_name(pool: Pool | None) -> str:
    """``data`` when the pool's ``direct`` data-linked share is ≥ 50% (exact, in fen)."""
    if pool is None:
        return RECEIVABLE_SET
    direct, total = direct_data_share_fen(pool)
    num, den = DATA_SHARE_THRESHOLD_FEN
    return DATA_SET if total > 0 and direct * den >= total * num else RECEIVABLE_SET


def default_set_for(deal: Deal) -> ScenarioSet:
    """The built-in set that fits the deal (revolving, data-revenue or receivable).

    A deal with revolving terms gets the revolving set. Otherwise the data set applies when
    assets whose cash flow comes from the data asset itself (``data_link = direct``) are at
    least 50% of 入池金额; pledged-data receivables count as receivables. A deal without a pool
    gets the receivable set.
    """
    if deal.revolving is not None:
        return builtin_sets()[REVOLVING_SET]
    return builtin_sets()[default_set_name(deal.pool)]


def scenario_names(scenario_set: str | Path | ScenarioSet = DATA_SET) -> list[str]:
    """Names of the scenarios of a set (built-in name, file, or a loaded set)."""
    if isinstance(scenario_set, ScenarioSet):
        return scenario_set.names
    return load_scenario_set(scenario_set).names


def scenario_stress(deal: Deal, name: str, *, scenario_set: str | Path | None = None) -> Stress:
    """The :class:`Stress` of scenario ``name`` for ``deal``, as its stress grid runs it.

    The scenario comes from ``scenario_set`` (default: the deal's built-in set) or the deal's own
    custom scenarios; factors it does not set keep the deal's base adjustments
    (:func:`scenarios.runner.deal_base`), so ``dabs run --scenario 重度`` is the grid's 重度 row.

    Raises
    ------
    ScenarioError
        If neither the set nor the deal has a scenario with that name.
    """
    from scenarios.runner import deal_base

    chosen = default_set_for(deal) if scenario_set is None else load_scenario_set(scenario_set)
    return with_deal_scenarios(deal, chosen).get(name).stress(deal, base=deal_base(deal))


def scenario_from_factors(values: Mapping[str, Any], *, name: str | None = None) -> Scenario:
    """A scenario from a factor mapping (``{"revenue_haircut": 0.3}``); name derived if absent.

    Raises
    ------
    ScenarioError
        Unknown factor or bad value.
    """
    factors, sources = _check_factors(values, where=f"scenario {name or ''}".strip())
    if name is None:
        name = (
            ", ".join(
                f"{k}={v:g}" if not isinstance(v, bool) else f"{k}={'on' if v else 'off'}"
                for k, v in factors.items()
            )
            or "基准"
        )
    return Scenario(name=name, factors=factors, sources=sources)


def with_custom(deal: Deal, scenario_set: ScenarioSet) -> list[Scenario]:
    """The set's scenarios followed by the deal's own (``deal.stress_scenarios``).

    A custom scenario keeps its name; its factors are the non-neutral values of its stress.

    Raises
    ------
    ScenarioError
        A custom scenario named like one of the set's.
    """
    from scenarios.factors import changed_factors

    out = list(scenario_set.scenarios)
    taken = {s.name for s in out}
    for custom in deal.stress_scenarios:
        if custom.name in taken:
            raise ScenarioError(
                f"custom scenario {custom.name!r}: the name is already used by the scenario set "
                f"{scenario_set.name!r} ({', '.join(sorted(taken))}); choose another"
            )
        out.append(scenario_from_factors(changed_factors(custom.stress), name=custom.name))
    return out


#: 依据 of a custom scenario's factors (what 模型说明 and the scenario-set content show).
CUSTOM_SOURCE = "自定义情景（交易文件 stress_scenarios，随交易版本保存）"


def with_deal_scenarios(deal: Deal, scenario_set: ScenarioSet) -> ScenarioSet:
    """``scenario_set`` followed by the deal's own scenarios (``deal.stress_scenarios``).

    What the filing export, ``dabs stress`` and the library's stress runs run: the built-in
    (or file) set first, then each custom scenario under the name the structurer gave it, its
    factors the non-neutral values of its stress, each factor's source :data:`CUSTOM_SOURCE`.
    A deal without custom scenarios gets the set unchanged.

    Raises
    ------
    ScenarioError
        A custom scenario named like one of the set's.
    """
    if not deal.stress_scenarios:
        return scenario_set
    own = len(scenario_set.scenarios)
    combined = with_custom(deal, scenario_set)
    custom = tuple(
        dataclasses.replace(sc, sources=dict.fromkeys(sc.factors, CUSTOM_SOURCE))
        for sc in combined[own:]
    )
    return dataclasses.replace(scenario_set, scenarios=(*scenario_set.scenarios, *custom))
