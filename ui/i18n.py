"""Dashboard labels in Chinese (default) and English.

Every text a page shows goes through :func:`t`, keyed by a dotted id. Labels may hold
``str.format`` fields (``{name}``); the Chinese and English versions of a label must use the
same fields (a test checks this and that every key a page uses exists here).
"""

from __future__ import annotations

import string

#: Supported languages (first is the default).
LANGUAGES: tuple[str, ...] = ("zh", "en")
#: How the language choice is shown.
LANGUAGE_NAMES: dict[str, str] = {"zh": "中文", "en": "English"}

#: Key → (中文, English).
LABELS: dict[str, tuple[str, str]] = {
    # --- app and navigation ------------------------------------------------------------------
    "app.title": ("数据资产ABS结构化看板", "Data-asset ABS structuring dashboard"),
    "page.pool": ("资产池", "Pool"),
    "page.projection": ("收入预测", "Projection"),
    "page.structure": ("结构设计", "Structure"),
    "page.waterfall": ("现金流", "Waterfall"),
    "page.stress": ("压力测试", "Stress"),
    "page.export": ("导出", "Export"),
    # --- sidebar -------------------------------------------------------------------------------
    "sidebar.language": ("语言 / Language", "语言 / Language"),
    "sidebar.example": ("示例交易", "Example deal"),
    "sidebar.example_help": (
        "切换示例会替换当前交易（可撤销）。",
        "Switching example replaces the current deal (undo is available).",
    ),
    "sidebar.upload": (
        "上传资产清单（CSV/XLSX）或交易文件（JSON）",
        "Upload a pool tape (CSV/XLSX) or a deal file (JSON)",
    ),
    "sidebar.upload_help": (
        "单个文件不超过 {mb} MB。CSV 可为 UTF-8、UTF-8 BOM 或 GBK 编码，表头中英文均可。"
        "资产清单替换当前交易的资产池，交易文件替换整个交易。文件只在内存中解析，"
        "不会被执行或保存。",
        "At most {mb} MB per file. CSV may be UTF-8, UTF-8 with BOM or GBK, with Chinese or "
        "English headers. A tape replaces the pool of the current deal; a deal file replaces "
        "the whole deal. Files are parsed in memory only, never executed or stored.",
    ),
    "sidebar.current": ("当前交易", "Current deal"),
    "sidebar.source": ("来源：{source}", "Source: {source}"),
    "sidebar.undo": ("撤销上一步", "Undo last change"),
    "sidebar.undone": ("已恢复上一个交易。", "Restored the previous deal."),
    "sidebar.loaded_tape": (
        "已读取资产清单 {name}：{count} 笔资产。",
        "Read tape {name}: {count} assets.",
    ),
    "sidebar.loaded_deal": ("已读取交易文件 {name}。", "Read deal file {name}."),
    "sidebar.deal_kept_pool": (
        "交易文件 {name} 未内嵌资产池，已沿用当前资产池。",
        "Deal file {name} has no embedded pool; the current pool was kept.",
    ),
    "sidebar.edits": ("本次修改", "Edits this session"),
    # --- structure page ------------------------------------------------------------------------
    "structure.intro": (
        "直接在表格中修改分档、费用与触发事件（可增删行）；每次修改都会按交易文件规则校验，"
        "有效的修改立即生效并重算基准情景与压力情景，无效的修改在对应表格下方列出，当前交易保持上一次有效状态。",
        "Edit tranches, fees and triggers in place (rows can be added or deleted). Every change "
        "is validated with the deal-file rules; a valid change applies at once and reruns the "
        "base case and the stress set, an invalid one is listed under its table and the last "
        "good deal stays current.",
    ),
    "structure.tranches": ("分档", "Tranches"),
    "structure.fees": ("税费", "Taxes and fees"),
    "structure.support": ("储备金与增信", "Reserve and credit support"),
    "structure.triggers": ("触发事件", "Triggers"),
    "structure.checks": ("实时检查", "Live checks"),
    "structure.invalid": ("以下修改未通过校验：", "These changes do not validate:"),
    "structure.kept_last_good": (
        "存在无效修改：下方检查与其他页面仍使用上一次有效的交易结构。",
        "There are invalid changes: the checks below and the other pages still use the last "
        "good structure.",
    ),
    "structure.row": ("第{row}行「{name}」", "row {row} '{name}'"),
    "structure.section.tranches": ("分档", "tranches"),
    "structure.section.fees": ("税费", "fees"),
    "structure.section.reserve": ("储备金", "reserve"),
    "structure.section.support": ("增信", "support"),
    "structure.section.triggers": ("触发事件", "triggers"),
    "structure.section.(root)": ("交易", "deal"),
    "structure.col.name": ("名称", "Name"),
    "structure.col.class": ("类别", "Class"),
    "structure.col.balance": ("规模（万元）", "Size (CNY 10k)"),
    "structure.col.coupon_type": ("利率类型", "Coupon type"),
    "structure.col.rate": ("票面利率（%）", "Coupon (%)"),
    "structure.col.spread": ("浮动利差（%）", "Float spread (%)"),
    "structure.col.principal_type": ("本金偿付方式", "Principal type"),
    "structure.col.period_yield": ("次级期间收益（%/年）", "Sub period yield (%/yr)"),
    "structure.col.rating": ("评级", "Rating"),
    "structure.col.expected_maturity": ("预期到期日", "Expected maturity"),
    "structure.col.fee_type": ("类型", "Type"),
    "structure.col.fee_rate": ("费率（%/年）", "Rate (%/yr)"),
    "structure.col.surcharge": ("附加税费（%）", "Surcharge (%)"),
    "structure.col.base": ("计费基础", "Base"),
    "structure.col.amount": ("固定金额（万元/期）", "Fixed amount (CNY 10k/period)"),
    "structure.col.pay_share": ("本项支付比例（%）", "Share paid here (%)"),
    "structure.col.cap": ("每期上限（万元）", "Cap per period (CNY 10k)"),
    "structure.col.condition": ("条件", "Condition"),
    "structure.col.threshold": ("阈值", "Threshold"),
    "structure.col.date": ("日期", "Date"),
    "structure.col.event": ("触发事件", "Event"),
    "structure.col.cure": ("可恢复", "Cure"),
    "structure.threshold_help": (
        "比例以小数填写：累计违约率 0.10 = 10%；超额覆盖 1.05 = 资产池余额/证券余额 1.05 倍；"
        "回收款低于预测 0.20 = 低于预测 20%。",
        "Fractions: cumulative default rate 0.10 = 10%; over-collateralisation 1.05 = pool / "
        "securities balance of 1.05×; collections below forecast 0.20 = 20% below.",
    ),
    "structure.reserve.enable": ("设置储备金账户", "Reserve account"),
    "structure.reserve.initial": ("初始余额（万元）", "Initial balance (CNY 10k)"),
    "structure.reserve.target": ("目标金额（万元）", "Target amount (CNY 10k)"),
    "structure.reserve.percent": ("目标比例（优先级余额 %）", "Target (% of senior balance)"),
    "structure.reserve.rule": ("目标规则", "Target rule"),
    "structure.shortfall.enable": ("差额支付承诺", "Shortfall commitment (差额支付)"),
    "structure.shortfall.provider": ("差额支付承诺人", "Provider"),
    "structure.guarantee.enable": ("保证担保", "Guarantee"),
    "structure.guarantee.provider": ("担保人", "Guarantor"),
    "structure.cap_per_period": (
        "每期上限（万元，空=无）",
        "Cap per period (CNY 10k, empty = none)",
    ),
    "structure.cap_total": ("总上限（万元，空=无）", "Total cap (CNY 10k, empty = none)"),
    "structure.log.added": ("新增档位 {name}", "added tranche {name}"),
    "structure.log.removed": ("删除档位 {name}", "removed tranche {name}"),
    "structure.log.balance": (
        "{name} 规模 {old} → {new} 万元",
        "{name} size {old} → {new} (CNY 10k)",
    ),
    "structure.log.coupon": ("{name} 票面利率 {old} → {new}", "{name} coupon {old} → {new}"),
    "structure.log.principal_type": (
        "{name} 本金偿付方式 → {value}",
        "{name} principal type → {value}",
    ),
    "structure.log.fees": ("修改税费", "fees changed"),
    "structure.log.reserve": ("修改储备金", "reserve changed"),
    "structure.log.support": ("修改增信", "credit support changed"),
    "structure.log.triggers": ("修改触发事件", "triggers changed"),
    "structure.log.other": ("修改结构", "structure changed"),
    # --- errors --------------------------------------------------------------------------------
    "error.input": (
        "输入有误（{where}），当前交易保持为上一次有效状态：",
        "Invalid input ({where}); the last good deal is kept:",
    ),
    "error.page": ("无法计算本页：", "This page could not be computed:"),
    "error.internal": (
        "内部错误（{kind}）：{message}。当前交易未受影响，请将此信息反馈给开发人员。",
        "Internal error ({kind}): {message}. The current deal is unchanged; please report this.",
    ),
    "error.dismiss": ("知道了", "Dismiss"),
    "where.upload": ("上传文件", "upload"),
    "where.structure": ("结构设计", "structure"),
    "where.assumptions": ("预测假设", "assumptions"),
    "where.example": ("示例", "example"),
    "where.deal_file": ("交易文件", "deal file"),
}


def t(key: str, lang: str | None = None, /, **fields: object) -> str:
    """The label ``key`` in ``lang`` (default: the session language), formatted with ``fields``.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    lang : str, optional
        ``"zh"`` or ``"en"``; ``None`` reads the dashboard session (Chinese outside a session).
    **fields
        Values for the label's ``{placeholders}``.

    Raises
    ------
    KeyError
        If ``key`` is not a known label (a programming error, caught by the tests).

    Examples
    --------
    >>> t("page.pool", "zh")
    '资产池'
    >>> t("sidebar.source", "en", source="qingdao-pure")
    'Source: qingdao-pure'
    """
    if key not in LABELS:
        raise KeyError(f"i18n: no label {key!r}")
    chosen = current_language() if lang is None else lang
    zh, en = LABELS[key]
    text = en if chosen == "en" else zh
    return text.format(**fields) if fields else text


def both(key: str, /, **fields: object) -> str:
    """``中文 / English`` of a label (for the CLI and for file names shown to both readers).

    Examples
    --------
    >>> both("page.stress")
    '压力测试 / Stress'
    """
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def current_language() -> str:
    """The session's language; ``"zh"`` when no Streamlit session is running."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            get_script_run_ctx,
        )

        if get_script_run_ctx(suppress_warning=True) is None:
            return "zh"
        from ui.state import language

        return language()
    except (ImportError, RuntimeError):
        return "zh"


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names used in ``text``.

    Examples
    --------
    >>> sorted(placeholders("{a} and {b:.2f}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
