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
    "page.library": ("交易库", "Library"),
    # --- library page ----------------------------------------------------------------------------
    "library.save": ("保存到交易库", "Save to the library"),
    "library.key": ("交易编号（库中名称）", "Deal key (name in the library)"),
    "library.message": ("版本说明", "Version message"),
    "library.save_button": ("保存新版本", "Save a new version"),
    "library.default_message": ("看板保存", "saved from the dashboard"),
    "library.edit_log": ("修改记录：", "Edit log:"),
    "library.saved": (
        "已保存版本 {ref}（含本次修改记录）。",
        "Saved version {ref} (with the edit log).",
    ),
    "library.unchanged": (
        "与最新版本 {ref} 相同，未新建版本。",
        "Identical to the newest version {ref}; no new version saved.",
    ),
    "library.empty": ("交易库中还没有交易。", "The library holds no deal yet."),
    "library.history": ("版本历史", "Version history"),
    "library.deal": ("交易", "Deal"),
    "library.col.version": ("版本", "Version"),
    "library.col.time": ("保存时间（UTC）", "Saved (UTC)"),
    "library.col.author": ("保存人", "Author"),
    "library.col.message": ("说明", "Message"),
    "library.col.issue": ("发行规模（万元）", "Issue size (CNY 10k)"),
    "library.col.tranche": ("档位", "Tranche"),
    "library.col.measure": ("指标", "Measure"),
    "library.col.changed": ("变化（B − A）", "Change (B − A)"),
    "library.open_pick": ("打开版本", "Version to open"),
    "library.open": ("打开", "Open"),
    "library.opened": ("已打开 {ref}（可撤销）。", "Opened {ref} (undo is available)."),
    "library.source": ("交易库 {ref}", "library {ref}"),
    "library.compare": ("版本对比", "Compare versions"),
    "library.current": ("当前编辑", "Current edit"),
    "library.side_a": ("对比基准 A", "Reference A"),
    "library.side_b": ("对比对象 B", "Candidate B"),
    "library.same_structure": ("两个结构完全相同。", "The two structures are identical."),
    "library.changes": ("结构变化（{n} 项）", "Structure changes ({n})"),
    "library.measures": (
        "基准情景指标（{n} 项变化，黄色标出）",
        "Base-case measures ({n} changed, highlighted)",
    ),
    "library.cov_chart": (
        "优先级覆盖倍数对比（高于 10× 按 10× 显示）",
        "Senior coverage, A vs B (capped at 10×)",
    ),
    "library.cov_interest": ("仅利息", "interest only"),
    "library.col.scenario": ("情景", "Scenario"),
    "library.col.factor": ("因子", "Factor"),
    "library.stress": (
        "压力测试结果（{set}，{n} 项不同）",
        "Stress results ({set}, {n} differ)",
    ),
    "library.breakeven_run": (
        "对比盈亏平衡点（每个版本约 1–2 秒）",
        "Compare break-evens (about 1–2 s per version)",
    ),
    "library.breakevens": ("盈亏平衡点（{n} 项不同）", "Break-evens ({n} differ)"),
    "library.cov_principal": ("含本金", "incl. principal"),
    # --- sidebar -------------------------------------------------------------------------------
    "sidebar.language": ("语言 / Language", "语言 / Language"),
    "sidebar.example": ("示例交易", "Example deal"),
    "sidebar.example_help": (
        "切换示例会替换当前交易（可撤销）。",
        "Switching example replaces the current deal (undo is available).",
    ),
    "sidebar.reload_example": ("重新载入所选示例", "Reload the selected example"),
    "sidebar.reload_help": (
        "用所选示例的原始文件替换当前交易（丢弃修改与上传的资产清单，可撤销）。",
        "Replace the current deal with the selected example as shipped (edits and an uploaded "
        "tape are dropped; undo is available).",
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
    "sidebar.library": ("交易库：{key}（最近 {n} 个版本）", "Library: {key} ({n} latest versions)"),
    "sidebar.library_unsaved": ("交易库：{key}（未保存）", "Library: {key} (not saved)"),
    "sidebar.library_none": (
        "此交易尚未保存到交易库。",
        "This deal is not in the library yet.",
    ),
    "sidebar.library_page": ("保存与对比：交易库页", "Save and compare: Library page"),
    "sidebar.library_unavailable": (
        "交易库暂不可用：{message}",
        "The library is unavailable: {message}",
    ),
    # --- kinds -----------------------------------------------------------------------------------
    "kind.pure": ("纯数据型", "Pure data"),
    "kind.labelled": ("贴标型", "Labelled (mixed)"),
    "kind.enabled": ("赋能型", "Data-enabled"),
    "kind.not_dabs": ("非数据资产ABS", "Not a data-asset ABS"),
    # --- pool page -------------------------------------------------------------------------------
    "pool.upload_hint": (
        "在左侧栏上传资产清单（CSV/XLSX，不超过 {mb} MB，UTF-8 或 GBK 编码）或选择示例；"
        "错误会逐行逐列列出，当前交易保持不变。",
        "Upload a tape in the sidebar (CSV/XLSX, at most {mb} MB, UTF-8 or GBK) or pick an "
        "example; errors are listed by row and column and the current deal stays as it was.",
    ),
    "pool.kind": ("产品类型", "Deal kind"),
    "pool.pure_100": ("100% 数据资产", "100% data assets"),
    "pool.kind_line": (
        "**{kind}**：数据资产关联金额 {linked} / 入池总金额 {total} = **{share}**"
        "（贴标型门槛 50%，纯数据型门槛 70%）",
        "**{kind}**: data-linked {linked} / pool {total} = **{share}** (labelled from 50%, "
        "pure from 70%)",
    ),
    "pool.share": ("数据资产占比", "Data-linked share"),
    "pool.total": ("入池总金额", "Pool total"),
    "pool.assets_count": ("资产笔数", "Assets"),
    "pool.obligors": ("债务人数量", "Obligors"),
    "pool.tape_notes": ("资产清单读取提示", "Tape reader notes"),
    "pool.gauge_title": ("数据资产关联占比（50% / 70% 门槛）", "Data-linked share (50% / 70%)"),
    "pool.findings": ("提示与合格标准检查（{n}）", "Warnings and eligibility findings ({n})"),
    "pool.no_findings": ("未发现需要提示的问题。", "No findings."),
    "pool.strata": ("资产池分层统计", "Pool stratification"),
    "pool.tab.summary": ("概况", "Summary"),
    "pool.tab.top20": ("前二十大债务人", "Top 20 obligors"),
    "pool.tab.more": ("其他维度", "More"),
    "pool.more_dimension": ("维度", "Dimension"),
    "pool.top20_omit": (
        "每笔资产均不超过资产池的 1%，申报时可不披露前二十大债务人表。",
        "Every asset is at most 1% of the pool: the filing may omit the top-20 table.",
    ),
    "pool.assets": ("入池资产明细（{n} 笔）", "Pool assets ({n})"),
    "pool.col.category": ("分类", "Category"),
    "pool.col.count": ("笔数", "Count"),
    "pool.col.count_share": ("笔数占比(%)", "Count share (%)"),
    "pool.col.amount": ("金额(万元)", "Amount (CNY 10k)"),
    "pool.col.amount_share": ("金额占比(%)", "Amount share (%)"),
    "pool.col.item": ("项目", "Item"),
    "pool.col.value": ("数值", "Value"),
    # --- structure page ------------------------------------------------------------------------
    "structure.intro": (
        "直接在表格中修改分档、费用与触发事件（可增删行）；每次修改都会按交易文件规则校验，"
        "有效的修改立即生效并重算基准情景与压力情景，无效的修改在对应表格下方列出，当前交易保持上一次有效状态。",
        "Edit tranches, fees and triggers in place (rows can be added or deleted). Every change "
        "is validated with the deal-file rules; a valid change applies at once and reruns the "
        "base case and the stress set, an invalid one is listed under its table and the last "
        "good deal stays current.",
    ),
    "structure.terms": ("产品要素", "Deal terms"),
    "order.title": ("现金流分配顺序", "Waterfall order"),
    "order.note": (
        "当前使用默认分配顺序模板；修改后分配顺序随交易保存。",
        "The deal runs the default template; a change stores the edited order with the deal.",
    ),
    "order.note_own": ("分配顺序随交易保存。", "The deal carries its own order."),
    "order.invalid": ("分配顺序无效，未应用：{detail}", "Invalid order, not applied: {detail}"),
    "order.list": ("分配顺序", "List"),
    "order.amortisation": ("摊还期（循环期结束后）", "Amortisation (after the revolving period)"),
    "order.step.revolve": ("循环购买", "Revolve (buy new assets)"),
    "order.step.turbo_oc": ("超额抵押加速偿还", "Turbo to the OC target"),
    "order.rule.revolve": (
        "循环期内以本金回收（及闲置资金）购买合格新资产",
        "spends principal collections (and idle cash) on eligible new assets while revolving",
    ),
    "order.rule.turbo_oc": (
        "偿还本金直至达到超额抵押目标",
        "pays principal until the overcollateralisation target is met",
    ),
    "order.nth": ("第{n}步", "step {n}"),
    "order.normal": ("正常分配", "Normal"),
    "order.accelerated": ("加速清偿/违约事件后", "After acceleration / default"),
    "order.col.n": ("顺序", "#"),
    "order.col.step": ("步骤", "Step"),
    "order.col.targets": ("对象", "Pays"),
    "order.col.rule": ("规则", "Rule"),
    "order.pick": ("选择步骤", "Step"),
    "order.up": ("上移", "Move up"),
    "order.down": ("下移", "Move down"),
    "order.remove": ("删除", "Remove"),
    "order.add_kind": ("新增步骤", "Add a step"),
    "order.add_targets": ("支付对象", "Pays"),
    "common.choose": ("请选择", "Choose"),
    "order.add": ("添加到末尾", "Add at the end"),
    "order.log.up": ("分配顺序（{list}）：{step} 上移", "Order ({list}): {step} moved up"),
    "order.log.down": ("分配顺序（{list}）：{step} 下移", "Order ({list}): {step} moved down"),
    "order.log.remove": ("分配顺序（{list}）：删除 {step}", "Order ({list}): {step} removed"),
    "order.log.add": ("分配顺序（{list}）：新增 {step}", "Order ({list}): {step} added"),
    "order.step.pay_fees": ("支付税费", "Pay taxes/fees"),
    "order.step.pay_interest": ("支付利息", "Pay interest"),
    "order.step.pay_principal": ("偿还本金", "Pay principal"),
    "order.step.fund_reserve": ("补足储备金", "Fund the reserve"),
    "order.step.pay_sub_yield": ("支付次级期间收益", "Pay subordinated period yield"),
    "order.step.pay_residual": ("剩余资金归次级", "Residual to subordinated"),
    "order.step.reimburse_support": ("返还增信垫款", "Reimburse support draws"),
    "order.rule.pay_fees": (
        "按所列顺序支付应付税费",
        "pays the taxes and fees due, in the order listed",
    ),
    "order.rule.pay_interest": (
        "支付应付利息（多档时按比例）",
        "pays interest due (pro rata across several tranches)",
    ),
    "order.rule.pay_principal": (
        "按各档摊还方式支付应付本金（固定摊还/过手/到期一次）",
        "pays principal due by each tranche's principal type (scheduled, pass-through, bullet)",
    ),
    "order.rule.fund_reserve": ("将储备金补足至目标余额", "tops the reserve up to its target"),
    "order.rule.pay_sub_yield": (
        "按期初余额支付次级期间收益",
        "pays the period yield on the opening balance",
    ),
    "order.rule.pay_residual": (
        "剩余资金全部作为超额收益支付",
        "pays everything left as excess return",
    ),
    "order.rule.reimburse_support": (
        "返还差额支付/担保的垫付款",
        "repays shortfall-commitment and guarantee draws",
    ),
    "order.rule.pro_rata": ("按比例", "pro rata"),
    "order.rule.turbo": ("加速（全部可用资金偿还本金）", "turbo (all available cash to principal)"),
    "order.rule.wait": ("优先级清偿后才支付", "only once the seniors are repaid"),
    "sizing.title": ("规模测算", "Size to a target"),
    "sizing.note": (
        "在所选情景下，求使优先级足额兑付且最低覆盖倍数不低于目标的最大优先级规模；发行总额不变，"
        "次级吸收差额，固定摊还计划按比例缩放。结果先展示，确认后再应用。",
        "The largest senior size that is paid in full with the minimum coverage at or above the "
        "target in the chosen scenario; the issue amount stays, the subordinated tranche takes "
        "the difference, "
        "schedules scale. The result is shown before you apply it.",
    ),
    "sizing.floor": ("目标最低覆盖倍数（倍）", "Target minimum coverage (×)"),
    "sizing.basis_principal": ("按含本金口径", "Incl. principal"),
    "sizing.basis_help": (
        "开：最低覆盖倍数（含本金）；关：最低覆盖倍数（仅利息）。",
        "On: min coverage incl. principal; off: min coverage, interest only.",
    ),
    "sizing.basis.principal": ("含本金", "incl. principal"),
    "sizing.basis.interest": ("仅利息", "interest only"),
    "sizing.scenario": ("情景", "Scenario"),
    "sizing.run": ("测算", "Solve"),
    "sizing.bad_floor": (
        "目标覆盖倍数 {value} 无效：须不小于 0。",
        "Target coverage {value} is invalid: it must be at least 0.",
    ),
    "sizing.col.before": ("当前规模（万元）", "Current size (CNY 10k)"),
    "sizing.col.after": ("测算规模（万元）", "Sized (CNY 10k)"),
    "sizing.status.found": (
        "已求得：测算结构的优先级最低覆盖倍数（含本金）{cov}，（仅利息）{cov_interest}（基准情景）。",
        "Solved: the sized structure has senior min coverage incl. principal {cov}, interest only "
        "{cov_interest} (base case).",
    ),
    "sizing.status.max_passes": (
        "最大可行规模（次级仅余 1 元）仍满足目标：目标不构成约束。"
        "基准覆盖倍数（含本金）{cov}，（仅利息）{cov_interest}。",
        "Even the largest senior size (1 yuan of subordinated left) meets the target: it does "
        "not bind. "
        "Base case incl. principal {cov}, interest only {cov_interest}.",
    ),
    "sizing.status.min_fails": (
        "即使优先级仅为发行额的 1% 仍不满足目标：请降低目标或改变结构。"
        "（含本金）{cov}，（仅利息）{cov_interest}。",
        "Even a senior of 1% of the issue fails the target: lower the target or change the "
        "structure. Incl. principal {cov}, interest only {cov_interest}.",
    ),
    "sizing.status.not_converged": (
        "搜索未收敛，显示最后一个满足目标的规模。（含本金）{cov}，（仅利息）{cov_interest}。",
        "The search did not converge; the last passing size is shown. Incl. principal {cov}, "
        "interest only {cov_interest}.",
    ),
    "sizing.apply": ("应用测算结构", "Apply the sized structure"),
    "sizing.log": (
        "规模测算：最低覆盖倍数（{basis}）≥ {floor}，情景 {scenario}",
        "Sized to min coverage ({basis}) ≥ {floor} in scenario {scenario}",
    ),
    # --- sizing to a break-even or an indicative grade (issue 16) --------------------------
    "sizing.kind": ("测算目标", "Target"),
    "sizing.kind.coverage": ("覆盖倍数", "Coverage multiple"),
    "sizing.kind.breakeven": ("盈亏平衡倍数", "Break-even margin"),
    "sizing.kind.rating": ("指示性评级", "Indicative grade"),
    "sizing.be_note": (
        "求使每一优先档的临界值（违约率倍数，与压力测试页临界值表同一搜索、同一基准假设）"
        "不低于目标的最大优先级规模；发行总额不变，次级吸收差额，固定摊还计划按比例缩放。"
        "结果先展示，确认后再应用。",
        "The largest senior size at which every senior tranche's break-even (PD multiple, the "
        "same search and base assumptions as the Stress page's break-even table) is at least "
        "the target; the issue amount stays, the subordinated tranche takes the difference, "
        "schedules scale. The result is shown before you apply it.",
    ),
    "sizing.be_unit": ("临界值口径", "Break-even measure"),
    "sizing.be_unit.multiple": ("违约率倍数（倍）", "PD multiple (×)"),
    "sizing.be_unit.cdr": ("累计违约率（%）", "Cumulative default rate (%)"),
    "sizing.be_multiple": ("目标临界违约率倍数（倍）", "Target break-even PD multiple (×)"),
    "sizing.be_cdr": ("目标临界累计违约率（%）", "Target break-even CDR (%)"),
    "sizing.grade": ("目标评级（仅供参考）", "Target grade (indicative)"),
    "sizing.grade_note": (
        "指示性评级：临界累计违约率 ≥ 基准累计违约率 × 该级别压力倍数（评级视图的倍数表）。"
        "仅供参考，不构成评级意见。",
        "Indicative grade: break-even CDR ≥ base-case CDR × the grade's stress multiple (the "
        "rating view's table). Indicative only, not a credit rating.",
    ),
    "sizing.bad_multiple": (
        "目标临界违约率倍数 {value} 无效：须为大于 0 的有限数。",
        "Target break-even PD multiple {value} is invalid: it must be a finite number above 0.",
    ),
    "sizing.bad_cdr": (
        "目标临界累计违约率 {value}% 无效：须大于 0% 且不超过 100%。",
        "Target break-even CDR {value}% is invalid: it must be above 0% and at most 100%.",
    ),
    "sizing.bad_grade": (
        "目标评级 {grade} 不在倍数表中；可选：{grades}。",
        "Target grade {grade} is not in the multiples table; choose one of {grades}.",
    ),
    "sizing.col.breakeven": ("临界违约率倍数", "Break-even PD multiple"),
    "sizing.col.cdr": ("临界累计违约率", "Break-even CDR"),
    "sizing.col.grade": ("指示性评级", "Indicative grade"),
    "sizing.below_table": ("低于BBB-", "below BBB-"),
    "sizing.target.multiple": (
        "各优先档临界违约率倍数 ≥ {value}",
        "every senior's break-even PD multiple ≥ {value}",
    ),
    "sizing.target.cdr": (
        "各优先档临界累计违约率 ≥ {value}",
        "every senior's break-even CDR ≥ {value}",
    ),
    "sizing.target.grade": (
        "各优先档指示性评级达到 {grade}（临界累计违约率 ≥ 基准 {base} × {multiple} = {cdr}，"
        "仅供参考）",
        "every senior at indicative grade {grade} (break-even CDR ≥ base {base} × {multiple} = "
        "{cdr}; indicative only)",
    ),
    "sizing.target.status.found": (
        "已求得：优先级合计 {senior}（占发行额 {share}），{target}。再多 1 万元即不满足。",
        "Solved: seniors total {senior} ({share} of the issue) with {target}. 10k yuan more "
        "would fail.",
    ),
    "sizing.target.status.max_passes": (
        "最大可行规模（次级仅余 1 元，优先级合计 {senior}，{share}）仍满足目标（{target}）："
        "目标不构成约束。",
        "Even the largest senior size (1 yuan of subordinated left: {senior}, {share}) meets "
        "the target ({target}): it does not bind.",
    ),
    "sizing.target.status.min_fails": (
        "即使优先级仅为发行额的 1%（{senior}）仍达不到目标（{target}）："
        "请降低目标或改变结构（超额抵押、储备金、增信）。",
        "Even a senior of 1% of the issue ({senior}) misses the target ({target}): lower the "
        "target or change the structure (overcollateralisation, reserve, support).",
    ),
    "sizing.target.status.not_converged": (
        "搜索未在步数上限内收敛，显示最后一个满足目标的规模：优先级合计 {senior}（{share}），"
        "{target}。",
        "The search did not converge within the step limit; the last passing size is shown: "
        "seniors total {senior} ({share}), {target}.",
    ),
    "sizing.target.unreachable": (
        "资产池的累计违约率在搜索范围内（违约率倍数至 {hi}）达不到目标所需的 {cdr}。",
        "The pool's cumulative default rate does not reach the {cdr} the target needs within "
        "the searched range (PD multiple up to {hi}).",
    ),
    "sizing.log_target": ("规模测算：{target}", "Sized to {target}"),
    # --- the split between senior classes (优先级内部分层 A1/A2) ---------------------------
    "sizing.kind.split": ("优先级内部分层 A1/A2", "A1/A2 split"),
    "sizing.split.note": (
        "优先级合计与次级不变，在第一优先档（A1）与其后的优先档之间调配规模：求 A1 满足其目标的"
        "最大规模，其余优先档按比例分担差额，固定摊还计划随各档缩放；再检查其后优先档是否满足第二"
        "目标。结果先展示，确认后再应用。",
        "The senior total and the subordinated tranche stay; size moves between the first "
        "senior (A1) and the next seniors: the largest A1 that meets its target, the next "
        "seniors sharing the rest pro rata, each schedule scaled with its tranche; then whether "
        "the next seniors still meet a second target. The result is shown before you apply it.",
    ),
    "sizing.split.first": ("{name} 的目标", "{name}'s target"),
    "sizing.split.second": ("{names} 的目标（仅检查）", "{names}'s target (checked only)"),
    "sizing.split.kind.none": ("不检查", "none"),
    "sizing.split.kind.coverage": ("最低覆盖倍数（倍）", "Min coverage (×)"),
    "sizing.split.kind.multiple": ("临界违约率倍数（倍）", "Break-even PD multiple (×)"),
    "sizing.split.kind.cdr": ("临界累计违约率（%）", "Break-even CDR (%)"),
    "sizing.split.kind.grade": ("指示性评级（仅供参考）", "Indicative grade (indicative only)"),
    "sizing.split.value": ("目标值", "Target value"),
    "sizing.split.one_senior": (
        "本交易只有一个优先档（{classes}），无法做优先级内部分层。",
        "This deal has one senior tranche ({classes}); there is no split between senior "
        "classes to size.",
    ),
    "sizing.split.col.coverage": (
        "最低覆盖倍数（含本金 / 仅利息）",
        "Min coverage (incl. principal / interest only)",
    ),
    "sizing.split.target.coverage": (
        "{name} 最低覆盖倍数（{basis}）≥ {value}",
        "{name} min coverage ({basis}) ≥ {value}",
    ),
    "sizing.split.target.multiple": (
        "{name} 临界违约率倍数 ≥ {value}",
        "{name} break-even PD multiple ≥ {value}",
    ),
    "sizing.split.target.cdr": (
        "{name} 临界累计违约率 ≥ {value}",
        "{name} break-even CDR ≥ {value}",
    ),
    "sizing.split.target.grade": (
        "{name} 指示性评级达到 {grade}（仅供参考）",
        "{name} at indicative grade {grade} (indicative only)",
    ),
    "sizing.split.status.found": (
        "已求得：{first} {size}（占优先级 {share}），{target}。再多 1 万元即不满足。",
        "Solved: {first} {size} ({share} of the seniors) with {target}. 10k yuan more would fail.",
    ),
    "sizing.split.status.max_passes": (
        "{first} 取最大规模（其后优先档仅余 1 元：{size}，{share}）仍满足目标（{target}）："
        "目标不构成约束。",
        "Even the largest {first} (1 yuan left to the next seniors: {size}, {share}) meets the "
        "target ({target}): it does not bind.",
    ),
    "sizing.split.status.min_fails": (
        "即使 {first} 仅为优先级的 1%（{size}）仍达不到目标（{target}）："
        "请降低目标或调整优先级合计。",
        "Even a {first} of 1% of the seniors ({size}) misses the target ({target}): lower the "
        "target or size the senior total first.",
    ),
    "sizing.split.status.not_converged": (
        "搜索未在步数上限内收敛，显示最后一个满足目标的规模：{first} {size}（{share}），{target}。",
        "The search did not converge within the step limit; the last passing size is shown: "
        "{first} {size} ({share}), {target}.",
    ),
    "sizing.split.second_meets": (
        "测算结构下{target}：满足。",
        "On the sized split, {target}: met.",
    ),
    "sizing.split.second_fails": (
        "测算结构下{target}：不满足。",
        "On the sized split, {target}: not met.",
    ),
    "sizing.split.non_monotone": (
        "A1 规模与目标的关系不单调（不满足后又满足：{pairs} 万元）；"
        "取第一个不满足点以下的最大规模。",
        "A1's size and the target are not monotone (fails, then passes: {pairs}, CNY 10k); "
        "the largest passing size below the first failure is shown.",
    ),
    "sizing.split.log": ("优先级内部分层：{target}", "Split the seniors: {target}"),
    "structure.term.name": ("专项计划名称", "Deal name"),
    "structure.term.originator": ("原始权益人", "Originator"),
    "structure.term.manager": ("计划管理人", "Manager"),
    "structure.term.cutoff": ("封包日", "Cut-off date"),
    "structure.term.closing": ("设立日", "Closing date"),
    "structure.term.first_payment": ("首个兑付日", "First payment date"),
    "structure.term.expected_maturity": ("预期到期日", "Expected maturity"),
    "structure.term.legal_maturity": ("法定到期日", "Legal maturity"),
    "structure.term.frequency": ("兑付频率", "Payment frequency"),
    "structure.schedules": ("固定摊还计划（目标余额）", "Amortisation schedules (target balances)"),
    "structure.schedules_note": (
        "每期兑付后的目标余额（万元），兑付日随产品要素中的日期与频率变化（共 {n} 期）；"
        "修改分档规模时计划按比例缩放。",
        "Target balance after each payment date (CNY 10k); the dates follow the deal terms "
        "({n} periods). Resizing a tranche scales its schedule proportionally.",
    ),
    "structure.sched.period": ("期数", "Period"),
    "structure.sched.nth": ("第{n}期", " period {n}"),
    "structure.sched.date": ("兑付日", "Payment date"),
    "structure.sched.target": ("目标余额（万元）", "Target balance (CNY 10k)"),
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
    "structure.section.dates": ("产品要素", "deal terms"),
    "structure.section.name": ("专项计划名称", "deal name"),
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
    "structure.shortfall.enable": ("差额支付承诺", "Shortfall commitment"),
    "structure.shortfall.provider": ("差额支付承诺人", "Provider"),
    "structure.guarantee.enable": ("保证担保", "Guarantee"),
    "structure.guarantee.provider": ("担保人", "Guarantor"),
    "structure.cap_per_period": (
        "每期上限（万元，空=无）",
        "Cap per period (CNY 10k, empty = none)",
    ),
    "structure.cap_total": ("总上限（万元，空=无）", "Total cap (CNY 10k, empty = none)"),
    "structure.check.share": ("占发行比例", "Share of issue"),
    "structure.check.subordination": ("次级支持", "Subordination"),
    "structure.check.base_cov": (
        "优先级最低覆盖（含本金）",  # short enough for a quarter-width metric, never cut off
        "Senior min cov. incl. principal",
    ),
    "structure.check.base_cov_help": (
        "基准情景下优先级各期最低现金流覆盖倍数，分母含税费、费用、利息与应付本金。",
        "Lowest senior cash-flow coverage over the periods in the base case; obligations are "
        "taxes, fees, interest and principal due.",
    ),
    "structure.check.base_cov_interest": (
        "优先级最低覆盖倍数（仅利息，基准）：{value}",
        "Senior min coverage, interest only (base): {value}",
    ),
    "check.support_needed": (
        "基准情景下优先级需动用增信（储备金、差额支付或担保，合计 {draws}）才能足额兑付："
        "结构本身的现金流不足以覆盖。",
        "In the base case the seniors are paid in full only with support draws (reserve, "
        "shortfall commitment or guarantee, {draws} in total): the structure's own cash does "
        "not cover them.",
    ),
    "structure.check.issue": ("发行规模", "Issue size"),
    "structure.check.pool": ("入池金额", "Pool amount"),
    "structure.check.pool_over_issue": ("入池金额/发行规模", "Pool / issue"),
    "structure.check.caption": (
        "情景列（情景集 {set}）：✓ 足额兑付 / ⚠ 动用增信后足额兑付 / ✗ 出现短缺，后附本档及以上"
        "各档的最低覆盖倍数（含本金：可分配现金 ÷ 税费、费用、利息与应付本金）。"
        "本次重算 {seconds} 秒。",
        "Scenario columns (set {set}): ✓ paid in full / ⚠ paid in full only with support draws "
        "/ ✗ shortfall, then the min coverage incl. principal of this tranche and those above "
        "it (available cash ÷ taxes, fees, interest and principal due). Recomputed in "
        "{seconds} s.",
    ),
    "check.issue_above_pool": (
        "发行规模 {issue} 超过入池金额 {pool}：请核对分档规模。",
        "Issue size {issue} exceeds the pool amount {pool}: check the tranche sizes.",
    ),
    "check.no_senior": ("没有优先级档位。", "There is no senior tranche."),
    "check.retention": (
        "次级占比 {share} 低于 5% 风险自留要求，且无保证担保或差额支付豁免"
        "（上交所挂牌指引2号 2.3.4）。",
        "Subordinated share {share} is below the 5% risk retention, with no guarantee or "
        "a shortfall commitment to exempt it (SSE guideline No. 2, 2.3.4).",
    ),
    "check.sub_typical": (
        "次级占比 {share}，市场常见区间为 5%–15%。",
        "Subordinated share {share}; the usual range is 5%–15%.",
    ),
    "structure.log.schedule": (
        "{name} 摊还计划调整（随规模按比例缩放或直接编辑）",
        "{name} amortisation schedule changed (scaled with the size or edited)",
    ),
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
    # --- waterfall page ------------------------------------------------------------------------
    "waterfall.conserved": (
        "现金守恒检查通过：每期回收款 + 增信 = 税费 + 费用 + 本息 + 储备金变动 + 剩余"
        "（误差 ≤ 0.01 元）。",
        "Cash conservation holds: collections + support = taxes + fees + interest + principal "
        "+ reserve change + residual in every period (to 0.01 yuan).",
    ),
    "waterfall.not_conserved": (
        "现金守恒检查未通过：请将此交易文件反馈给开发人员。",
        "Cash conservation failed: please report this deal file to the developers.",
    ),
    "waterfall.tranches": ("分档兑付汇总（基准情景）", "Tranche summary (base case)"),
    "waterfall.card.wal": ("加权平均期限(年)", "WAL (years)"),
    "waterfall.card.yield": ("收益率", "Yield"),
    "waterfall.card.duration": ("麦考利久期(年)", "Macaulay duration"),
    "waterfall.card.modified": ("修正久期", "Modified duration"),
    "waterfall.card.irr": ("内部收益率(次级)", "IRR (subordinated)"),
    "waterfall.principal": ("本金", "principal"),
    "waterfall.interest": ("利息/收益", "interest/yield"),
    "waterfall.chart.balances": ("分档余额", "Tranche balances"),
    "waterfall.chart.payments": ("各期兑付（本金与利息）", "Payments per period"),
    "waterfall.chart.coverage": (
        "优先级现金流覆盖倍数（高于 {cap}× 按 {cap}× 显示）",
        "Senior cash-flow coverage (shown capped at {cap}×)",
    ),
    "waterfall.chart.events": ("触发事件时间线", "Events timeline"),
    "waterfall.cov.senior": ("税费+优先级利息", "taxes, fees, senior interest"),
    "waterfall.cov.senior_principal": (
        "含优先级应付本金",
        "incl. scheduled senior principal",
    ),
    "waterfall.coverage": ("现金流覆盖倍数", "Cash-flow coverage"),
    "waterfall.comfort": ("舒适线（倍）", "Comfort line (×)"),
    "waterfall.comfort_line": ("舒适线 {value}", "comfort {value}"),
    "waterfall.below_comfort": (
        "{n} 个兑付期的优先级覆盖倍数（{measure}）低于舒适线：{dates}",
        "{n} payment periods have senior coverage ({measure}) below the comfort line: {dates}",
    ),
    "waterfall.above_comfort": (
        "各期优先级覆盖倍数（仅利息与含本金两种口径）均不低于舒适线 {value}。",
        "Senior coverage, both interest only and incl. principal, is at or above the comfort "
        "line {value} in every period.",
    ),
    "waterfall.cov.measure_interest": ("仅利息", "interest only"),
    "waterfall.cov.measure_principal": ("含本金", "incl. principal"),
    "waterfall.support_needed": (
        "优先级依赖增信才足额兑付：基准情景动用储备金、差额支付或担保合计 {draws}，"
        "见下方“增信动用”。",
        "The seniors are paid in full only with support: the base case draws {draws} from the "
        "reserve, shortfall commitment or guarantee (see support draws below).",
    ),
    "waterfall.events": ("触发事件", "Events"),
    "waterfall.no_events": ("基准情景下未触发任何事件。", "No event fires in the base case."),
    "waterfall.ev.trigger": ("触发条件", "Trigger"),
    "waterfall.ev.event": ("事件", "Event"),
    "waterfall.ev.first_date": ("首次触发兑付日", "First payment date on"),
    "waterfall.ev.first_period": ("首次触发期数", "First period on"),
    "waterfall.ev.periods_on": ("持续期数", "Periods on"),
    "waterfall.support": (
        "储备金与外部增信：动用与返还",
        "Reserve and credit support: draws and repayments",
    ),
    "waterfall.no_support": (
        "基准情景下未动用储备金、差额支付或担保。",
        "The base case draws on neither the reserve, the shortfall commitment nor the guarantee.",
    ),
    "waterfall.support_note": (
        "默认分配顺序下，差额支付与担保的垫付款于优先级清偿后、次级本金及超额收益之前从回收款中返还"
        "（金额单位：万元）。",
        "In the default order, shortfall-commitment and guarantee payments are repaid from "
        "later collections once the seniors are repaid, before subordinated principal and "
        "excess return (CNY 10k).",
    ),
    "waterfall.sup.date": ("兑付日", "Payment date"),
    "waterfall.sup.reserve_balance": ("储备金余额", "Reserve balance"),
    "waterfall.sup.reserve_draw": ("储备金动用", "Reserve drawn"),
    "waterfall.sup.commitment_draw": ("差额支付", "Shortfall commitment drawn"),
    "waterfall.sup.guarantee_draw": ("担保代偿", "Guarantee drawn"),
    "waterfall.sup.commitment_repaid": ("差额支付返还", "Shortfall commitment repaid"),
    "waterfall.sup.guarantee_repaid": ("担保返还", "Guarantee repaid"),
    "waterfall.securities": ("证券兑付表", "Securities payment table"),
    "waterfall.pick_tranches": ("档位", "Tranches"),
    "waterfall.unit_note": ("金额单位：万元。", "Amounts in CNY 10k."),
    "waterfall.pool_table": ("现金流归集表（万元）", "Pool collections table (CNY 10k)"),
    # --- waterfall: revolving section (循环购买, ui/views/revolving_section.py) ---------------
    "revolving.title": ("循环购买", "Revolving purchases"),
    "revolving.card.purchased": ("循环购买合计（万元）", "Purchased (CNY 10k)"),
    "revolving.card.negative_carry": (
        "闲置资金负利差（万元）",
        "Idle-cash negative carry (CNY 10k)",
    ),
    "revolving.card.kind": ("须维持的产品类型", "Kind to hold"),
    "revolving.kept": (
        "存续期内数据资产关联占比始终维持在发行类型区间内。",
        "The data-linked share stays in the issued kind's band over the life.",
    ),
    "revolving.out": (
        "数据资产关联占比自 {date} 起偏离发行类型区间。",
        "The data-linked share leaves the issued kind's band from {date}.",
    ),
    "revolving.no_data": (
        "现金流未包含数据资产关联余额，无法计算存续期产品类型。",
        "The collections carry no data-linked balance; the kind over the life is not shown.",
    ),
    "revolving.chart.title": (
        "数据资产关联占比（循环购买后）",
        "Data-linked share after purchases",
    ),
    "revolving.chart.share": ("数据资产关联占比", "Data-linked share"),
    "revolving.line.labelled": ("50% 贴标型", "50% labelled"),
    "revolving.line.pure": ("70% 纯数据型", "70% pure"),
    "revolving.unit_note": (
        "金额单位：万元；循环购买率、数据资产关联占比单位：%",
        "Amounts in CNY 10k; purchase rate and data-linked share in %",
    ),
    # --- stress page ---------------------------------------------------------------------------
    "stress.set": ("情景集", "Scenario set"),
    "stress.set.data": ("数据收入情景集", "Data-revenue scenarios"),
    "stress.set.receivable": ("应收账款情景集", "Receivable scenarios"),
    "stress.set.revolving": ("循环购买情景集", "Revolving-pool scenarios"),
    "stress.factors": ("情景因子（相对基准的变动）", "Scenario factors (changes from neutral)"),
    "stress.results": ("各情景兑付结果", "Results by scenario and tranche"),
    "stress.heat.metric": ("热力图指标", "Heatmap measure"),
    "stress.heat.loss": ("本金损失率", "Principal loss"),
    "stress.custom": ("自定义情景", "Custom scenarios"),
    "stress.custom_note": (
        "从因子目录组合一个情景（比例类因子以 % 输入），随交易保存，并在所选情景集之后运行。",
        "Build a scenario from the factor catalogue (fractions in %); it is saved with the deal "
        "and runs after the chosen scenario set.",
    ),
    "stress.custom.name": ("情景名称", "Scenario name"),
    "stress.custom.factors": ("因子", "Factors"),
    "stress.custom.pct": ("%", "%"),
    "stress.custom.add": ("添加情景", "Add scenario"),
    "stress.custom.remove_pick": ("删除情景", "Scenario to remove"),
    "stress.custom.remove": ("删除", "Remove"),
    "stress.custom.no_name": ("请填写情景名称。", "Give the scenario a name."),
    "stress.custom.invalid": ("因子取值无效：{detail}", "Invalid factor value: {detail}"),
    "stress.custom.log_add": ("新增自定义情景 {name}", "Custom scenario {name} added"),
    "stress.custom.log_remove": ("删除自定义情景 {name}", "Custom scenario {name} removed"),
    "stress.heat.min_coverage": ("最低覆盖倍数（含本金）", "Min coverage incl. principal"),
    "stress.heat.coverage": (
        "最低现金流覆盖倍数（情景 × 档位）",
        "Minimum coverage (scenario × tranche)",
    ),
    "stress.coverage_chart": ("各情景优先级覆盖倍数", "Senior coverage by scenario"),
    "stress.breakeven": ("临界值与指示性评级", "Break-evens and indicative rating"),
    "stress.breakeven_note": (
        "区间多点搜索（精度 1e-6，最多 100 轮）求每档首次出现短缺时的收入降幅与违约倍数；"
        "评级按压力倍数法（AAA 5.0× … BBB− 2.0×），仅供参考。",
        "Multi-point interval search (k-section, to 1e-6, at most 100 rounds) for the revenue "
        "haircut and PD multiple at "
        "which each tranche first misses a payment; grades by stress multiple (AAA 5.0× … "
        "BBB− 2.0×), indicative only.",
    ),
    "stress.breakeven_run": ("计算临界值与指示性评级", "Compute break-evens and rating"),
    "stress.breakeven_running": ("正在搜索临界值…", "Searching break-evens…"),
    "stress.rating": ("指示性评级（仅供参考）", "Indicative rating (indicative only)"),
    "stress.mc": ("蒙特卡洛模拟", "Monte Carlo"),
    "stress.mc.bad_paths": (
        "路径数 {value} 超出范围：须在 {lo} 到 {hi} 之间。未运行。",
        "Path count {value} is out of range: it must be between {lo} and {hi}. Not run.",
    ),
    "stress.mc.bad_workers": (
        "工作进程数 {value} 超出范围：须在 1 到 {hi} 之间。未运行。",
        "Worker count {value} is out of range: it must be between 1 and {hi}. Not run.",
    ),
    "stress.mc.paths": ("路径数", "Paths"),
    "stress.mc.seed": ("随机种子", "Seed"),
    "stress.mc.engine": ("计算引擎", "Engine"),
    "stress.mc.engine_local": ("本机", "local"),
    "stress.mc.engine_dask": ("Dask 集群", "Dask cluster"),
    "stress.mc.workers": ("Dask 工作进程数", "Dask workers"),
    "stress.mc.run": ("运行蒙特卡洛", "Run Monte Carlo"),
    "stress.mc.progress": (
        "已完成 {done} / {total} 条路径 · {rate} 条/秒 · 预计剩余 {eta}",
        "{done} / {total} paths done · {rate} paths/s · {eta} left",
    ),
    "stress.mc.hint": (
        "设置路径数与随机种子后点击运行；相同种子在本机与 Dask 上结果完全一致。",
        "Set paths and seed, then run; the same seed gives identical numbers locally and on Dask.",
    ),
    "stress.mc.tranche": ("损失分布档位", "Loss distribution of"),
    "stress.mc.hist_title": (
        "{tranche} 本金损失率分布（{n} 条路径）",
        "{tranche} loss distribution ({n} paths)",
    ),
    "stress.mc.loss_axis": ("本金损失率（%）", "Loss (%)"),
    "stress.mc.share_axis": ("路径占比（%）", "Share of paths (%)"),
    # --- export page ---------------------------------------------------------------------------
    "export.filing": ("交易所申报表格", "Exchange filing tables"),
    "export.filing_note": (
        "工作簿为中文工作表（金额单位万元，两位小数）；CSV 与 JSON 为原始金额（元）。"
        "所有文件在内存中生成，不写入服务器。",
        "The workbook has Chinese sheets (amounts in CNY 10k, two decimals); CSV and JSON carry "
        "raw yuan. Everything is generated in memory; nothing is written on the server.",
    ),
    "export.with_stress": ("包含压力测试", "Include stress tests"),
    "export.with_breakeven": ("包含临界值", "Include break-evens"),
    "export.mc_paths": ("蒙特卡洛路径数（0 = 不含）", "Monte Carlo paths (0 = none)"),
    "export.csv_encoding": ("CSV 编码", "CSV encoding"),
    "export.encoding.utf-8-sig": (
        "UTF-8（带 BOM，Excel 直接打开）",
        "UTF-8 with BOM (opens in Excel)",
    ),
    "export.encoding.gbk": ("GBK", "GBK"),
    "export.building": ("正在生成申报表格…", "Building the filing tables…"),
    "export.sheets": (
        "工作表（{n} 张）：{sheets}",
        "Sheets ({n}; named in Chinese in the workbook, as filed): {sheets}",
    ),
    "export.download_xlsx": ("下载申报工作簿（xlsx）", "Download the filing workbook (xlsx)"),
    "export.download_csv": ("下载 CSV（zip）", "Download CSV (zip)"),
    "export.download_json": ("下载 JSON", "Download JSON"),
    "export.deal_file": ("保存与读取交易文件", "Save and load the deal file"),
    "export.deal_note": (
        "交易文件包含分档结构、费用、增信、触发事件、预测假设与内嵌的资产池，可随时重新上传恢复工作。",
        "The deal file holds the tranches, fees, support, triggers, assumptions and the embedded "
        "pool; upload it again at any time to resume.",
    ),
    "export.save_deal": ("保存交易文件（JSON）", "Save deal file (JSON)"),
    "export.unsaved_edits": (
        "本次会话有 {n} 项修改，保存交易文件即可保留。",
        "{n} edits in this session: save the deal file to keep them.",
    ),
    "export.load_deal": ("读取交易文件（JSON）", "Load a deal file (JSON)"),
    # --- projection page -----------------------------------------------------------------------
    "projection.chart": ("预期回收款（按资产类型）", "Expected collections by asset kind"),
    "projection.total": ("预期回收款合计", "Expected collections"),
    "projection.pool_table": ("现金流归集表（万元）", "Pool cash-flow table (CNY 10k)"),
    "projection.drilldown": ("单笔合同明细", "Per-contract drill-down"),
    "projection.pick_asset": ("合同", "Contract"),
    "projection.values": ("数据资产价值（收益法）", "Data-asset values (income approach)"),
    "projection.values_note": (
        "V = Σ F_t·K/(1+r)^t，F_t 为预期现金流，K 为数据贡献率，r 为折现率；"
        "与资产清单中的评估价值对照。",
        "V = Σ F_t·K/(1+r)^t with expected cash F_t, data attribution K and discount rate r; "
        "compared with the appraised value on the tape.",
    ),
    "projection.no_values": ("资产池中没有直接数据资产。", "The pool has no direct data assets."),
    "projection.assumptions": ("关键预测假设", "Key assumptions"),
    "projection.assumptions_note": (
        "修改后点击“应用”：假设随交易文件保存；资产清单中逐笔给出的参数优先于按资产类型的默认值；"
        "调用量、单价、违约与回收的调整也是压力情景的起点（情景未设定的因子沿用这里的值）。",
        "Click Apply after editing: assumptions are saved with the deal; per-contract values on "
        "the tape take precedence over the per-kind defaults; the usage, price, default and "
        "recovery adjustments are also where the stress scenarios start (factors a scenario "
        "does not set keep these values).",
    ),
    "projection.mode": ("预测口径", "Projection basis"),
    "projection.renewal": ("默认续约概率（%）", "Default renewal probability (%)"),
    "projection.renewal_fee": ("续约费率变化（%）", "Renewal fee change (%)"),
    "projection.volume_shock": ("调用量/收入水平调整（%）", "Usage / revenue level change (%)"),
    "projection.price_decline": ("单价年降幅增加（百分点）", "Extra annual price decline (pp)"),
    "projection.pd_multiplier": ("违约率倍数（×）", "PD multiplier (×)"),
    "projection.recovery_haircut": ("回收率下调（%）", "Recovery haircut (%)"),
    "projection.delay": ("回款延迟（期）", "Collection delay (periods)"),
    "projection.recovery_lag": ("回收滞后（期）", "Recovery lag (periods)"),
    "projection.discount_rate": ("收益法折现率（%）", "Income-approach discount rate (%)"),
    "projection.attribution": ("数据贡献率 K（%）", "Data attribution K (%)"),
    "projection.by_kind": (
        "按资产类型的违约率与回收率（资产清单未给出时使用）：",
        "PD and recovery by asset kind (used where the tape gives none):",
    ),
    "projection.col.kind": ("资产类型", "Asset kind"),
    "projection.col.pd": ("年违约率（%）", "Annual PD (%)"),
    "projection.col.recovery": ("回收率（%）", "Recovery (%)"),
    "projection.apply": ("应用假设", "Apply assumptions"),
    "projection.invalid": ("假设未通过校验：", "The assumptions do not validate:"),
    "projection.log": ("修改预测假设", "assumptions changed"),
    "projection.applied": (
        "已应用新的预测假设，各页面已按新假设重算。",
        "New assumptions applied; every page now uses them.",
    ),
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
    "where.library": ("交易库", "library"),
    # --- rule messages in the session language (h-lang) ---
    "stress.custom.name_clash": (
        "情景名称「{name}」与情景组中的情景重名，请换一个名称。",
        "The scenario name '{name}' is already used by the scenario set; pick another name.",
    ),
    "stress.custom.not_saved": (
        "自定义情景未保存：{detail}",
        "Custom scenario not saved: {detail}",
    ),
    "library.col.field": ("字段", "Field"),
    "library.col.change": ("变动", "Change"),
    "library.col.delta": ("差额", "Difference"),
    "upload.deal_not_json": (
        "交易文件 {name} 不是有效的 JSON（第 {line} 行第 {col} 列有语法错误），当前交易未改变。",
        "The deal file {name} is not valid JSON (syntax error at line {line}, column {col}); "
        "the current deal is unchanged.",
    ),
    "upload.deal_not_text": (
        "交易文件 {name} 不是 UTF-8 编码的文本，当前交易未改变。",
        "The deal file {name} is not UTF-8 text; the current deal is unchanged.",
    ),
    "upload.deal_invalid": (
        "交易文件 {name} 无效，当前交易未改变：",
        "The deal file {name} is invalid; the current deal is unchanged:",
    ),
    "upload.tape_invalid": (
        "资产清单 {name} 有 {n} 处问题，当前交易未改变：",
        "The pool tape {name} has {n} problems; the current deal is unchanged:",
    ),
    "upload.tape_invalid_one": (
        "资产清单 {name} 有 1 处问题，当前交易未改变：",
        "The pool tape {name} has 1 problem; the current deal is unchanged:",
    ),
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


def set_label(name: str, lang: str | None = None) -> str:
    """Readable name of a scenario set (built-in sets have a label, others show their name)."""
    key = f"stress.set.{name}"
    return t(key, lang) if key in LABELS else name
