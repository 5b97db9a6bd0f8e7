"""Deal kind by data-asset share (数据资产ABS分类): enabled, labelled, pure, or not a DABS.

The rule (DESIGN.md; seed 001 §三.四): share = data-linked (``pledged`` + ``direct``) 入池金额 /
total 入池金额. ``pure`` (纯数据型) when share ≥ 70%, ``labelled`` (贴标型) when 50% ≤ share < 70%,
``enabled`` (赋能型) when share > 0 or the deal declares data enablement, else ``not_dabs``.
The comparison is done in integer fen with integer arithmetic (``100·linked ≥ 70·total``), so
70.00% is pure and 49.99% is not labelled, whatever floating point would say. ``pure_100`` is
set when every fen is data-linked.

Basis ``balance`` (default) uses 入池金额; basis ``pv`` uses the present value of each asset's
projected collections (``abs.projection.pv_by_asset``), rounded to the fen.

The result also carries plain-language explanations and the warnings a structurer must see:
pure deals resting on pledged receivables, direct data assets without registration or valuation,
licences ending before the notes' legal maturity, too few or too concentrated debtors without
credit support (SSE 挂牌指引2号 3.2.3), and 重要债务人 above 15% (CSRC 信息披露指引).
See ``docs/classification.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from abs.asset import Asset, Pool
from abs.deal import Deal
from abs.enums import AssetType, DataLink, DealKind
from abs.errors import DealSpecError, ProjectionError

__all__ = [
    "BASES",
    "IMPORTANT_OBLIGOR_PCT",
    "KIND_RANK",
    "LABELLED_MIN_PCT",
    "LICENCE_TYPES",
    "MIN_OBLIGORS",
    "PURE_MIN_PCT",
    "SINGLE_OBLIGOR_MAX_PCT",
    "Basis",
    "Classification",
    "classify",
    "classify_deal",
    "format_share",
    "kind_for_share",
]

Basis = Literal["balance", "pv"]
#: Accepted classification bases.
BASES: tuple[str, ...] = ("balance", "pv")

#: share ≥ 70% → pure (纯数据型); integer percent so the test is exact in fen.
PURE_MIN_PCT = 70
#: 50% ≤ share < 70% → labelled (贴标型).
LABELLED_MIN_PCT = 50
#: SSE 挂牌指引2号 3.2.3: at least 10 debtors ...
MIN_OBLIGORS = 10
#: ... and no single debtor above 50%, unless a guarantee or 差额支付 supports the deal.
SINGLE_OBLIGOR_MAX_PCT = 50
#: CSRC 信息披露指引: a debtor above 15% of the pool is a 重要债务人.
IMPORTANT_OBLIGOR_PCT = 15

#: Kinds ordered by data intensity (adding a data-linked asset never lowers the rank).
KIND_RANK: dict[DealKind, int] = {
    DealKind.NOT_DABS: 0,
    DealKind.ENABLED: 1,
    DealKind.LABELLED: 2,
    DealKind.PURE: 3,
}

#: Asset kinds that are licences with a term (a term ending before the notes' legal maturity
#: leaves the late periods without contracted cash).
LICENCE_TYPES: frozenset[AssetType] = frozenset(
    {AssetType.DATA_LICENSE, AssetType.IP_LICENSE, AssetType.ALGORITHM_SERVICE}
)

_LIST_LIMIT = 5


def kind_for_share(linked_fen: int, total_fen: int, *, declared_enablement: bool) -> DealKind:
    """Deal kind for a data-linked amount out of a total, both in integer fen.

    Parameters
    ----------
    linked_fen, total_fen : int
        Data-linked and total amounts in fen (分); ``0 <= linked_fen <= total_fen``,
        ``total_fen > 0``.
    declared_enablement : bool
        The deal declares data used for risk assessment, pricing or monitoring.

    Returns
    -------
    DealKind

    Raises
    ------
    DealSpecError
        If the amounts are not in ``0 <= linked <= total`` with ``total > 0``.

    Examples
    --------
    >>> kind_for_share(70, 100, declared_enablement=False).value
    'pure'
    >>> kind_for_share(4_999, 10_000, declared_enablement=False).value
    'enabled'
    """
    if total_fen <= 0 or not 0 <= linked_fen <= total_fen:
        raise DealSpecError(
            f"classification: amounts must satisfy 0 <= linked <= total and total > 0; "
            f"got linked={linked_fen} fen, total={total_fen} fen"
        )
    if 100 * linked_fen >= PURE_MIN_PCT * total_fen:
        return DealKind.PURE
    if 100 * linked_fen >= LABELLED_MIN_PCT * total_fen:
        return DealKind.LABELLED
    if linked_fen > 0 or declared_enablement:
        return DealKind.ENABLED
    return DealKind.NOT_DABS


def format_share(part_fen: int, total_fen: int) -> str:
    """``part/total`` as a percentage with two decimals, more when two would mislead.

    A share just below a threshold (49.995%) is shown with as many decimals as needed so it
    never reads as the threshold itself (``49.995%``, not ``50.00%``).

    Examples
    --------
    >>> format_share(5046, 10000), format_share(4_999_999, 10_000_000)
    ('50.46%', '49.99999%')
    """
    if total_fen <= 0:
        return "n/a"
    exact = part_fen / total_fen * 100
    for digits in range(2, 10):
        shown = f"{exact:.{digits}f}"
        rounded = float(shown)
        crosses = any(
            (100 * part_fen < pct * total_fen) != (rounded < pct) for pct in (50, 70, 100)
        )
        if not crosses:
            return f"{shown}%"
    return f"{exact:.10f}%"


def _wan(fen: int) -> str:
    return f"{fen / 1e6:,.2f}万元"


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} yuan"


def _names(items: Sequence[str], *, zh: bool) -> str:
    head = list(items[:_LIST_LIMIT])
    more = len(items) - len(head)
    if zh:
        text = "、".join(head)
        return f"{text}等" if more else text
    text = ", ".join(head)
    return f"{text} and {more} more" if more else text


@dataclass(frozen=True)
class Classification:
    """The deal kind of a pool and how it was reached.

    Attributes
    ----------
    kind : DealKind
        ``pure`` / ``labelled`` / ``enabled`` / ``not_dabs``.
    data_share : float
        Data-linked share of the pool on the chosen basis (fraction; for display only, the kind
        comes from the exact fen comparison).
    pure_100 : bool
        Every fen of the pool is data-linked.
    total_amount, linked_amount : float
        Pool total and data-linked amount in yuan on the chosen basis.
    asset_count : int
        笔数.
    obligor_count : int
        Distinct obligors (债务人数量).
    by_link : dict
        Amount (yuan) per :class:`~abs.enums.DataLink` value; every link present as a key.
    by_kind : dict
        Amount (yuan) per :class:`~abs.enums.AssetType` value present in the pool.
    basis : str
        ``balance`` (入池金额) or ``pv`` (present value of projected collections).
    declared_enablement : bool
        The deal declares data enablement (赋能).
    explanation_zh, explanation_en : str
        Plain-language account of the numbers and thresholds.
    warnings : tuple of str
        Bilingual findings (``中文 / English``), each naming the assets or obligors and figures.
    linked_fen, total_fen : int
        The exact integers the kind was decided on.
    """

    kind: DealKind
    data_share: float
    pure_100: bool
    total_amount: float
    linked_amount: float
    asset_count: int
    obligor_count: int
    by_link: dict[str, float]
    by_kind: dict[str, float]
    basis: str
    declared_enablement: bool
    explanation_zh: str
    explanation_en: str
    warnings: tuple[str, ...] = ()
    linked_fen: int = 0
    total_fen: int = 0
    credit_support: bool = False
    legal_maturity: dt.date | None = None
    thresholds: dict[str, int] = field(
        default_factory=lambda: {"pure_min_pct": PURE_MIN_PCT, "labelled_min_pct": LABELLED_MIN_PCT}
    )

    @property
    def kind_zh(self) -> str:
        """Chinese label of the kind (纯数据型, 贴标型, 赋能型, 非数据资产ABS)."""
        return self.kind.zh

    @property
    def rank(self) -> int:
        """Position in ``not_dabs < enabled < labelled < pure``."""
        return KIND_RANK[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``dabs classify --json`` output)."""
        return {
            "kind": self.kind.value,
            "kind_zh": self.kind_zh,
            "data_share": self.data_share,
            "data_share_text": format_share(self.linked_fen, self.total_fen),
            "pure_100": self.pure_100,
            "total_amount": self.total_amount,
            "linked_amount": self.linked_amount,
            "asset_count": self.asset_count,
            "obligor_count": self.obligor_count,
            "by_link": dict(self.by_link),
            "by_kind": dict(self.by_kind),
            "basis": self.basis,
            "declared_enablement": self.declared_enablement,
            "credit_support": self.credit_support,
            "legal_maturity": None if self.legal_maturity is None else str(self.legal_maturity),
            "thresholds": dict(self.thresholds),
            "linked_fen": self.linked_fen,
            "total_fen": self.total_fen,
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "warnings": list(self.warnings),
        }


def _basis_amounts(
    assets: Sequence[Asset], basis: str, pv: Mapping[str, float] | None, source: str
) -> list[int]:
    if basis == "balance":
        return [a.amount_fen for a in assets]
    if basis != "pv":
        raise DealSpecError(
            f"{source}: classification basis must be one of {', '.join(BASES)}; got {basis!r}"
        )
    if pv is None:
        raise DealSpecError(
            f"{source}: basis 'pv' needs the present value of each asset's collections; "
            "classify a deal (classify_deal) or pass pv={asset_id: value}"
        )
    missing = [a.asset_id for a in assets if a.asset_id not in pv]
    if missing:
        raise ProjectionError(
            f"{source}: pv has no value for {len(missing)} asset(s): {_names(missing, zh=False)}"
        )
    amounts: list[int] = []
    for a in assets:
        value = pv[a.asset_id]
        if not math.isfinite(value) or value < 0:
            raise ProjectionError(
                f"{source}: pv[{a.asset_id!r}] must be a finite number >= 0; got {value!r}"
            )
        amounts.append(round(value * 100))
    if sum(amounts) <= 0:
        raise ProjectionError(f"{source}: the present values of all assets sum to 0 fen")
    return amounts


def _infer_support(assets: Iterable[Asset]) -> bool:
    return all(a.guarantor for a in assets)


def _warnings(
    assets: Sequence[Asset],
    kind: DealKind,
    link_fen: Mapping[DataLink, int],
    *,
    legal_maturity: dt.date | None,
    has_support: bool,
) -> tuple[list[str], list[str], list[str]]:
    """Warnings plus dispersion notes (zh, en) for the explanation."""
    warnings: list[str] = []
    notes_zh: list[str] = []
    notes_en: list[str] = []
    balance_fen = [a.amount_fen for a in assets]
    total = sum(balance_fen)
    linked = link_fen[DataLink.PLEDGED] + link_fen[DataLink.DIRECT]

    # 1. a pure deal resting mostly on pledged receivables
    pledged = link_fen[DataLink.PLEDGED]
    if kind is DealKind.PURE and 2 * pledged > linked:
        share = format_share(pledged, linked)
        warnings.append(
            f"纯数据型主要依赖质押类资产：质押 {_wan(pledged)}，占数据关联资产的 {share}，"
            f"直接产生现金流的数据资产仅 {_wan(link_fen[DataLink.DIRECT])}；现金流来自被质押"
            "数据资产担保的应收账款，而非数据资产本身 / pure kind rests mostly on pledged "
            f"assets: pledged {_yuan(pledged)} is {share} of the data-linked amount, direct only "
            f"{_yuan(link_fen[DataLink.DIRECT])}; the cash flows come from receivables secured by "
            "data assets, not from the data assets themselves"
        )

    # 2. direct data assets without registration id / valuation
    direct = [a for a in assets if a.data_link is DataLink.DIRECT]
    unregistered = sorted((a for a in direct if not a.registration_id), key=lambda a: a.asset_id)
    if unregistered:
        ids = [a.asset_id for a in unregistered]
        fen = sum(a.amount_fen for a in unregistered)
        warnings.append(
            f"直接类数据资产缺少数据资产登记编号：{_names(ids, zh=True)}（{len(ids)}笔，合计 "
            f"{_wan(fen)}，占入池 {format_share(fen, total)}）/ direct data assets without a "
            f"registration id: {_names(ids, zh=False)} ({len(ids)} asset(s), {_yuan(fen)}, "
            f"{format_share(fen, total)} of the pool)"
        )
    unvalued = sorted(
        (a for a in direct if not a.valuation_method or a.appraised_value is None),
        key=lambda a: a.asset_id,
    )
    if unvalued:
        ids = [a.asset_id for a in unvalued]
        fen = sum(a.amount_fen for a in unvalued)
        warnings.append(
            f"直接类数据资产缺少评估信息（评估方法/评估价值）：{_names(ids, zh=True)}（{len(ids)}"
            f"笔，合计 {_wan(fen)}）/ direct data assets without a valuation (valuation_method/"
            f"appraised_value): {_names(ids, zh=False)} ({len(ids)} asset(s), {_yuan(fen)})"
        )

    # 3. licences ending before the notes' legal maturity
    if legal_maturity is not None:
        short = sorted(
            (
                a
                for a in assets
                if a.asset_type in LICENCE_TYPES and a.maturity_date < legal_maturity
            ),
            key=lambda a: (a.maturity_date, a.asset_id),
        )
        if short:
            fen = sum(a.amount_fen for a in short)
            items = [f"{a.asset_id}({a.maturity_date.isoformat()})" for a in short]
            warnings.append(
                f"授权/许可期限早于证券法定到期日 {legal_maturity.isoformat()}："
                f"{_names(items, zh=True)}（{len(short)}笔，合计 {_wan(fen)}，占入池 "
                f"{format_share(fen, total)}；最早 {short[0].maturity_date.isoformat()} 到期）"
                f" / licences ending before the notes' legal maturity "
                f"{legal_maturity.isoformat()}: {_names(items, zh=False)} ({len(short)} asset(s), "
                f"{_yuan(fen)}, {format_share(fen, total)} of the pool; first ends "
                f"{short[0].maturity_date.isoformat()})"
            )

    # 4. dispersion (SSE 挂牌指引2号 3.2.3) and 重要债务人 (CSRC 信息披露指引)
    by_obligor: dict[str, int] = {}
    for a in assets:
        by_obligor[a.obligor] = by_obligor.get(a.obligor, 0) + a.amount_fen
    ranked = sorted(by_obligor.items(), key=lambda kv: (-kv[1], kv[0]))
    count = len(ranked)
    top_name, top_fen = ranked[0]
    few = count < MIN_OBLIGORS
    concentrated = 100 * top_fen > SINGLE_OBLIGOR_MAX_PCT * total
    rule_zh = "上交所挂牌指引2号3.2.3"
    rule_en = "SSE listing guideline No.2 3.2.3"
    if few:
        if has_support:
            notes_zh.append(f"债务人 {count} 个，少于{MIN_OBLIGORS}个，已由保证担保/差额支付豁免")
            notes_en.append(
                f"{count} debtors, fewer than {MIN_OBLIGORS}, waived by a guarantee/差额支付"
            )
        else:
            warnings.append(
                f"债务人仅 {count} 个，少于{MIN_OBLIGORS}个（{rule_zh}），且无保证担保或差额支付"
                f" / only {count} debtors, fewer than {MIN_OBLIGORS} ({rule_en}), and no "
                "guarantee or 差额支付"
            )
    if concentrated:
        share = format_share(top_fen, total)
        if has_support:
            notes_zh.append(f"单一债务人 {top_name} 占 {share}，超过50%，已由担保/差额支付豁免")
            notes_en.append(
                f"single debtor {top_name} is {share}, above 50%, waived by a guarantee/差额支付"
            )
        else:
            warnings.append(
                f"单一债务人 {top_name} 占入池 {share}，超过{SINGLE_OBLIGOR_MAX_PCT}%"
                f"（{rule_zh}），且无保证担保或差额支付 / single debtor {top_name} is {share} of "
                f"the pool, above {SINGLE_OBLIGOR_MAX_PCT}% ({rule_en}), and no guarantee or "
                "差额支付"
            )
    for name, fen in ranked:
        if 100 * fen <= IMPORTANT_OBLIGOR_PCT * total:
            break
        share = format_share(fen, total)
        warnings.append(
            f"重要债务人：{name} 占入池 {share}（{_wan(fen)}），超过{IMPORTANT_OBLIGOR_PCT}%，须按"
            f"证监会资产证券化信息披露指引详细披露 / important debtor (重要债务人): {name} is "
            f"{share} of the pool ({_yuan(fen)}), above {IMPORTANT_OBLIGOR_PCT}%; disclose in "
            "depth (CSRC ABS disclosure guideline)"
        )
    return warnings, notes_zh, notes_en


def _explain(
    kind: DealKind,
    *,
    basis: str,
    link_fen: Mapping[DataLink, int],
    total: int,
    declared: bool,
    notes_zh: Sequence[str],
    notes_en: Sequence[str],
) -> tuple[str, str]:
    pledged, direct = link_fen[DataLink.PLEDGED], link_fen[DataLink.DIRECT]
    linked = pledged + direct
    share = format_share(linked, total)
    basis_zh = "按入池金额计" if basis == "balance" else "按预测回收款现值计"
    basis_en = "by pool amount" if basis == "balance" else "by PV of projected collections"
    verdict_zh = {
        DealKind.PURE: f"不低于{PURE_MIN_PCT}%，为纯数据型",
        DealKind.LABELLED: f"介于{LABELLED_MIN_PCT}%（含）与{PURE_MIN_PCT}%之间，为贴标型",
        DealKind.ENABLED: (
            f"低于{LABELLED_MIN_PCT}%"
            + ("，且交易声明数据赋能" if declared and linked == 0 else "且大于0")
            + "，为赋能型"
        ),
        DealKind.NOT_DABS: "为0且交易未声明数据赋能，为非数据资产ABS",
    }[kind]
    verdict_en = {
        DealKind.PURE: f"at least {PURE_MIN_PCT}%, so the deal is pure data",
        DealKind.LABELLED: (f"at least {LABELLED_MIN_PCT}% and below {PURE_MIN_PCT}%, so labelled"),
        DealKind.ENABLED: (
            f"below {LABELLED_MIN_PCT}%"
            + (
                " and the deal declares data enablement"
                if declared and linked == 0
                else " and above 0"
            )
            + ", so data-enabled"
        ),
        DealKind.NOT_DABS: "0 and no data enablement is declared, so not a data-asset ABS",
    }[kind]
    full_zh = "；全部入池资产均为数据资产关联资产（100%）" if linked == total else ""
    full_en = "; every asset is data-linked (100%)" if linked == total else ""
    zh = (
        f"{basis_zh}，数据资产关联资产（质押 {_wan(pledged)} + 直接 {_wan(direct)}）合计 "
        f"{_wan(linked)}，占入池总额 {_wan(total)} 的 {share}，{verdict_zh}{full_zh}。"
        f"规则：占比≥{PURE_MIN_PCT}%为纯数据型，{LABELLED_MIN_PCT}%–{PURE_MIN_PCT}%为贴标型，"
        f"低于{LABELLED_MIN_PCT}%且占比>0或声明数据赋能为赋能型；以分为单位精确比较。"
    )
    en = (
        f"{basis_en.capitalize()}, data-linked assets (pledged {_yuan(pledged)} + direct "
        f"{_yuan(direct)}) total {_yuan(linked)}, {share} of the pool's {_yuan(total)}: "
        f"{verdict_en}{full_en}. Rule: share >= {PURE_MIN_PCT}% pure, {LABELLED_MIN_PCT}% to "
        f"below {PURE_MIN_PCT}% labelled, below {LABELLED_MIN_PCT}% enabled when the share is "
        "above 0 or data enablement is declared; compared exactly in fen."
    )
    if notes_zh:
        zh += "分散度：" + "；".join(notes_zh) + "。"
        en += " Dispersion: " + "; ".join(notes_en) + "."
    return zh, en


def classify(
    pool: Pool,
    *,
    basis: Basis | str = "balance",
    declared_enablement: bool = False,
    has_credit_support: bool | None = None,
    legal_maturity: dt.date | None = None,
    pv: Mapping[str, float] | None = None,
) -> Classification:
    """Classify a pool as pure, labelled, enabled or not a data-asset ABS.

    Parameters
    ----------
    pool : Pool
        The pool to classify.
    basis : {"balance", "pv"}
        Share of 入池金额 (default) or of the present value of projected collections.
    declared_enablement : bool
        The deal declares data used for risk assessment, pricing or monitoring (赋能).
    has_credit_support : bool, optional
        A guarantee or 差额支付 backs the deal (waives the dispersion rules). ``None``: true
        when every asset names a guarantor (增信机构) on the tape.
    legal_maturity : datetime.date, optional
        The notes' legal maturity; licences ending before it are flagged.
    pv : mapping, optional
        Asset id → present value (yuan); required for ``basis="pv"``.

    Returns
    -------
    Classification

    Raises
    ------
    DealSpecError
        Unknown basis, or ``pv`` basis without values.
    ProjectionError
        A pv value missing, negative or not finite, or all pv values 0.

    Examples
    --------
    >>> import datetime as dt
    >>> from abs.asset import Asset, Pool
    >>> def a(i, link, amount):
    ...     return Asset(asset_id=i, obligor=i, asset_type="receivable", data_link=link,
    ...                  amount=amount, start_date=dt.date(2025, 1, 1),
    ...                  maturity_date=dt.date(2026, 1, 1))
    >>> c = classify(Pool(assets=(a("A", "pledged", 5046.0), a("B", "none", 4954.0))))
    >>> c.kind.value, c.kind_zh, round(c.data_share, 4)
    ('labelled', '贴标型', 0.5046)
    """
    source = pool.source or "pool"
    assets = pool.assets
    amounts = _basis_amounts(assets, str(basis), pv, source)
    total = sum(amounts)
    link_fen = dict.fromkeys(DataLink, 0)
    kind_fen: dict[AssetType, int] = {}
    for a, fen in zip(assets, amounts, strict=True):
        link_fen[a.data_link] += fen
        kind_fen[a.asset_type] = kind_fen.get(a.asset_type, 0) + fen
    linked = link_fen[DataLink.PLEDGED] + link_fen[DataLink.DIRECT]
    kind = kind_for_share(linked, total, declared_enablement=declared_enablement)
    support = _infer_support(assets) if has_credit_support is None else has_credit_support
    warnings, notes_zh, notes_en = _warnings(
        assets, kind, link_fen, legal_maturity=legal_maturity, has_support=support
    )
    zh, en = _explain(
        kind,
        basis=str(basis),
        link_fen=link_fen,
        total=total,
        declared=declared_enablement,
        notes_zh=notes_zh,
        notes_en=notes_en,
    )
    return Classification(
        kind=kind,
        data_share=linked / total,
        pure_100=linked == total,
        total_amount=total / 100,
        linked_amount=linked / 100,
        asset_count=len(assets),
        obligor_count=len({a.obligor for a in assets}),
        by_link={link.value: link_fen[link] / 100 for link in DataLink},
        by_kind={t.value: kind_fen[t] / 100 for t in AssetType if t in kind_fen},
        basis=str(basis),
        declared_enablement=declared_enablement,
        explanation_zh=zh,
        explanation_en=en,
        warnings=tuple(warnings),
        linked_fen=linked,
        total_fen=total,
        credit_support=support,
        legal_maturity=legal_maturity,
    )


def classify_deal(
    deal: Deal,
    *,
    basis: Basis | str = "balance",
    pv: Mapping[str, float] | None = None,
    declared_enablement: bool | None = None,
) -> Classification:
    """Classify a deal's pool with the deal's enablement flag, credit support and legal maturity.

    Parameters
    ----------
    deal : Deal
        A deal with its pool (``abs.load_deal`` reads the tape).
    basis : {"balance", "pv"}
        For ``pv`` without ``pv`` values, the PVs of the deal's pool model are used
        (:meth:`abs.projection.PoolModel.pv_by_asset`, under the assumptions' own stress).
    pv : mapping, optional
        Asset id → present value (yuan), to reuse a projection already run.
    declared_enablement : bool, optional
        Override (or, when true, add to) the deal's ``data_enablement.declared``.

    Raises
    ------
    DealSpecError
        The deal has no pool, or the basis is unknown.
    """
    from abs.io import require_pool

    pool = require_pool(deal)
    if pool.source is None:
        pool = pool.model_copy(update={"source": deal.name})
    if str(basis) == "pv" and pv is None:
        from abs.projection import pool_model  # the domain's heaviest module: load on demand

        pv = pool_model(deal).pv_by_asset(deal.assumptions.stress)
    declared = deal.data_enablement.declared or bool(declared_enablement)
    support = deal.support.guarantee is not None or deal.support.shortfall_commitment is not None
    return classify(
        pool,
        basis=basis,
        declared_enablement=declared,
        has_credit_support=support,
        legal_maturity=deal.dates.legal_maturity_date,
        pv=pv,
    )


class _CallableModule(types.ModuleType):
    """``abs.classify`` is both this module and the function the package exports lazily.

    Once ``abs.classify`` (the module) is imported, Python binds the package attribute
    ``abs.classify`` to the module, shadowing the lazily exported function; making the module
    callable keeps ``abs.classify(pool)`` working whatever was imported first.
    """

    def __call__(self, pool: Pool, **kwargs: Any) -> Classification:
        return classify(pool, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
