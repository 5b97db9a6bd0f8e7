"""The pool-tape reader's findings, worded for the structurer in the session language.

Every finding of :mod:`abs.tape` (and every limit of :mod:`abs.xlsx_read` it passes on) carries
a stable ``code`` and its numbers in ``context``; :data:`TAPE_RULES` words each code in Chinese
and English. A column is named as the tape template names it (``入池金额 (amount)`` in Chinese,
``amount`` in English), values are shown as typed in the file. The CLI keeps the reader's
English wording (``str(issue)``). ``tests/ui/test_tape_messages.py`` checks that every code the
reader raises has an entry here and that each entry reads in one language only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from abs import enums
from abs.errors import Issue, TapeError
from ui.i18n import t

Context = Mapping[str, Any]
Wording = Callable[[Context, str], str]

#: Vocabulary of an enum column → (中文, English) of what it names.
ENUM_WORDS: dict[str, tuple[str, str]] = {
    "AssetType": ("资产类型", "asset kind"),
    "DataLink": ("数据资产关联方式", "data link"),
    "Frequency": ("还款频率", "payment frequency"),
    "Amortization": ("还本方式", "amortization"),
}
#: Bound operators → (中文, English).
OPERATORS: dict[str, tuple[str, str]] = {
    ">": ("须大于", "must be greater than"),
    ">=": ("须不小于", "must be at least"),
    "<": ("须小于", "must be less than"),
    "<=": ("须不超过", "must be at most"),
}
_DATE_FORMS_ZH = "可写 2025-01-31、2025/1/31、20250131、2025年1月31日 或电子表格日期"
_DATE_FORMS_EN = "use 2025-01-31, 2025/1/31, 20250131 or a spreadsheet date"
#: Codes whose wording already states the value (the line does not repeat it).
VALUE_IN_RULE = frozenset({"tape_pool_total_too_large"})


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _int(ctx: Context, key: str) -> int:
    try:
        return int(ctx.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _n(ctx: Context, key: str) -> str:
    """A count with thousands separators: ``1,048,576``."""
    return f"{_int(ctx, key):,}"


def _where(ctx: Context, lang: str) -> str:
    """``工作表「资产明细」`` / ``sheet '资产明细'`` for a workbook, else the file."""
    sheet = ctx.get("sheet")
    if sheet:
        return _pick(lang, f"工作表「{sheet}」", f"sheet '{sheet}'")
    return _pick(lang, "文件", "the file")


def field_label(name: str, lang: str) -> str:
    """A tape column as the template names it: ``入池金额 (amount)`` / ``amount``."""
    from abs.tape import ZH_HEADERS

    zh = ZH_HEADERS.get(name)
    if lang == "zh" and zh:
        return f"{zh} ({name})"
    return name


def _const(zh: str, en: str) -> Wording:
    def word(ctx: Context, lang: str) -> str:
        return _pick(lang, zh, en)

    return word


def _encoding_bom(ctx: Context, lang: str) -> str:
    name = ctx.get("encoding", "UTF-16")
    return _pick(
        lang,
        f"文件为 {name} 编码（开头有字节顺序标记）；请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx",
        f"the file is {name} encoded (byte-order mark at byte offset 0); save the tape as "
        "CSV UTF-8 or GBK, or as .xlsx",
    )


def _nul_byte(ctx: Context, lang: str) -> str:
    offset = _n(ctx, "offset")
    return _pick(
        lang,
        f"文件第 {offset} 字节是空字节（0x00），不是 UTF-8 或 GBK 文本（可能是 UTF-16 或"
        "二进制文件）；请另存为 UTF-8 编码的 CSV 或 .xlsx",
        f"the file holds a NUL byte at byte offset {offset}: not UTF-8 or GBK text (UTF-16 or "
        "a binary file?); save the tape as CSV UTF-8 or as .xlsx",
    )


def _utf8_bad_byte(ctx: Context, lang: str) -> str:
    byte, offset = ctx.get("byte"), _n(ctx, "offset")
    good, bad = _n(ctx, "good"), _n(ctx, "bad")
    if lang == "zh":
        why = (
            "开头有 UTF-8 字节顺序标记"
            if ctx.get("bom")
            else f"{good} 个有效的多字节字符，{bad} 个无效字节"
        )
        return (
            f"文件为 UTF-8 编码（{why}），但第 {offset} 字节 {byte} 不是有效的 UTF-8"
            "（已尝试 UTF-8、GBK/GB18030）；文件已损坏或混用了编码，请重新另存为 UTF-8 编码的 CSV"
        )
    why = (
        "it starts with a UTF-8 byte-order mark"
        if ctx.get("bom")
        else f"{good} well-formed multi-byte UTF-8 characters against {bad} bad byte(s)"
    )
    return (
        f"the file is UTF-8 ({why}) but byte {byte} at byte offset {offset} is not valid UTF-8 "
        "(encodings tried: UTF-8, GBK/GB18030); the file is damaged or mixes encodings: "
        "re-save it as CSV UTF-8"
    )


def _encoding_unknown(ctx: Context, lang: str) -> str:
    first, byte, offset = _n(ctx, "utf8_offset"), ctx.get("byte"), _n(ctx, "offset")
    return _pick(
        lang,
        f"文件既不是 UTF-8（第 {first} 字节无效）也不是 GBK/GB18030（第 {offset} 字节 {byte} "
        "无效）；请另存为 UTF-8 编码的 CSV 或 .xlsx",
        f"the file is neither UTF-8 (invalid byte at byte offset {first}) nor GBK/GB18030 "
        f"(invalid byte {byte} at byte offset {offset}); save the tape as CSV UTF-8 or as .xlsx",
    )


def _malformed(ctx: Context, lang: str) -> str:
    return _pick(
        lang,
        "CSV 格式有误，无法按行列读取；请检查引号和分隔符",
        f"malformed CSV ({ctx.get('detail', '')}); check the quotes and delimiters",
    )


def _too_many_columns(ctx: Context, lang: str) -> str:
    columns, limit = _n(ctx, "columns"), _n(ctx, "limit")
    return _pick(
        lang,
        f"表头有 {columns} 列，超过资产清单上限 {limit} 列",
        f"the header has {columns} columns, more than the {limit} a tape may have",
    )


def _row_too_many_cells(ctx: Context, lang: str) -> str:
    cells, limit = _n(ctx, "cells"), _n(ctx, "limit")
    return _pick(
        lang,
        f"本行有 {cells} 个单元格，超过资产清单上限 {limit} 个",
        f"the row has {cells} cells, more than the {limit} a tape may have",
    )


def _too_many_rows(ctx: Context, lang: str) -> str:
    rows, row_limit, cell_limit = _n(ctx, "rows"), _n(ctx, "row_limit"), _n(ctx, "cell_limit")
    return _pick(
        lang,
        f"数据行超过 {rows} 行（上限：{row_limit} 行、{cell_limit} 个单元格）；请拆分资产清单",
        f"more than {rows} data rows (limits: {row_limit} rows, {cell_limit} cells); "
        "split the tape",
    )


def _sheet_too_large(ctx: Context, lang: str) -> str:
    sheet = _where(ctx, lang)
    kind, limit = ctx.get("limit_kind"), _n(ctx, "limit")
    dimension = ctx.get("dimension")
    has = _pick(lang, f"声明的范围 {dimension} 有", f" declares ({dimension})") if dimension else ""
    has = has or _pick(lang, "有", " spans")
    if kind == "rows":
        n = _n(ctx, "rows")
        return _pick(
            lang,
            f"{sheet}{has} {n} 行，超过资产清单上限 {limit} 行（1,000,000 个数据行加表头）",
            f"{sheet}{has} {n} rows, more than the {limit} a tape may have "
            "(1,000,000 data rows and a header)",
        )
    if kind == "columns":
        n = _n(ctx, "columns")
        return _pick(
            lang,
            f"{sheet}{has} {n} 列，超过资产清单上限 {limit} 列",
            f"{sheet}{has} {n} columns, more than the {limit} a tape may have",
        )
    n = _n(ctx, "cells")
    return _pick(
        lang,
        f"{sheet}{has} {n} 个单元格，超过资产清单上限 {limit} 个",
        f"{sheet}{has} {n} cells, more than the {limit} a tape may have",
    )


def _xlsx_unreadable(ctx: Context, lang: str) -> str:
    return _pick(
        lang,
        "不是可读取的 .xlsx 资产清单（文件损坏、被截断或不是工作簿）；请在表格软件中重新保存",
        f"not a readable .xlsx tape: {ctx.get('detail', '')}",
    )


def _too_many_parts(ctx: Context, lang: str) -> str:
    parts, limit = _n(ctx, "parts"), _n(ctx, "limit")
    return _pick(
        lang,
        f"工作簿含 {parts} 个部件，超过上限 {limit} 个",
        f"the workbook has {parts} parts, more than the {limit} allowed",
    )


def _unpacked(ctx: Context, lang: str) -> str:
    limit = _n(ctx, "limit")
    return _pick(
        lang,
        f"工作簿解压后超过 {limit} 字节（资产清单的上限；可能是压缩炸弹）",
        f"the workbook unpacks to more than {limit} bytes (the limit for a tape; a zip bomb?)",
    )


def _empty(ctx: Context, lang: str) -> str:
    where = _where(ctx, lang)
    return _pick(lang, f"{where}为空：没有表头行", f"{where} is empty: no header row")


def _no_data(ctx: Context, lang: str) -> str:
    where = _where(ctx, lang)
    return _pick(lang, f"{where}只有表头，没有数据行", f"{where} has a header but no data rows")


def _row_too_wide(ctx: Context, lang: str) -> str:
    cells, columns = _n(ctx, "cells"), _n(ctx, "columns")
    return _pick(
        lang,
        f"本行有 {cells} 个单元格，而表头只有 {columns} 列",
        f"the row has {cells} cells but the header has {columns} columns",
    )


def _bound_text(bound: object, fraction: bool) -> str:
    try:
        number = float(str(bound))
    except ValueError:
        return str(bound)
    return f"{number * 100:g}%" if fraction else f"{number:g}"


def _out_of_bounds(ctx: Context, lang: str) -> str:
    fraction = bool(ctx.get("fraction"))
    parts = []
    for pair in ctx.get("bounds") or []:
        op, bound = pair[0], pair[1]
        zh, en = OPERATORS.get(str(op), (str(op), str(op)))
        parts.append(f"{_pick(lang, zh, en)} {_bound_text(bound, fraction)}")
    text = _pick(lang, "且".join(parts), " and ".join(parts))
    if fraction:
        text += _pick(lang, "（比例：可写 4.5% 或 0.045）", " (a fraction: write 4.5% or 0.045)")
    return text


def _yuan(value: object, lang: str) -> str:
    try:
        shown = f"{float(str(value)):,.0f}"
    except ValueError:
        shown = str(value)
    return _pick(lang, f"{shown} 元", f"{shown} yuan")


def _amount_too_large(ctx: Context, lang: str) -> str:
    limit = _yuan(ctx.get("limit"), lang)
    return _pick(lang, f"须小于 {limit}（10万亿元）", f"must be below {limit} (10 trillion)")


def _pool_total(ctx: Context, lang: str) -> str:
    total, limit = ctx.get("total"), _yuan(ctx.get("limit"), lang)
    return _pick(
        lang,
        f"资产池合计 {total} 元，须小于 {limit}（10万亿元）：超过这一规模，合计无法精确到 0.01 元",
        f"the pool total of {total} yuan must be below {limit} (10 trillion): sums of that "
        "size cannot carry 0.01 yuan",
    )


def _enum_unknown(ctx: Context, lang: str) -> str:
    name = str(ctx.get("enum", ""))
    zh_what, en_what = ENUM_WORDS.get(name, ("选项", "option"))
    enum = getattr(enums, name, None)
    codes = [str(c) for c in ctx.get("allowed") or []]
    if lang == "zh" and enum is not None:
        labels = []
        for code in codes:
            try:
                labels.append(str(enum(code).zh))
            except ValueError:
                labels.append(code)
        return f"不是可选的{zh_what}（可选：{'、'.join(labels)}）"
    return f"unknown {en_what} (allowed: {', '.join(codes)})"


def _accepted(headers: Sequence[object], lang: str) -> str:
    """Accepted headers in the session's language: Chinese ones, or the ASCII ones."""
    items = [str(h) for h in headers]
    if lang == "zh":
        return "、".join(h for h in items if not h.isascii())
    return ", ".join(h for h in items if h.isascii())


def _required_missing(ctx: Context, lang: str) -> str:
    accepted = _accepted(ctx.get("accepted") or [], lang)
    return _pick(
        lang,
        f"缺少必填列（可接受的表头：{accepted}）",
        f"required column missing (accepted headers: {accepted})",
    )


def _column_duplicate(ctx: Context, lang: str) -> str:
    field = field_label(str(ctx.get("field", "")), lang)
    first, second = ctx.get("first"), ctx.get("second")
    return _pick(
        lang,
        f"两列对应同一字段 {field}：「{first}」与「{second}」",
        f"two columns name the same field {field}: '{first}' and '{second}'",
    )


def _duplicate_asset_id(ctx: Context, lang: str) -> str:
    row = ctx.get("first_row")
    return _pick(
        lang, f"编号重复，已在第 {row} 行使用", f"duplicate asset ID, already used in row {row}"
    )


def _maturity(ctx: Context, lang: str) -> str:
    start = ctx.get("start")
    return _pick(
        lang, f"到期日早于起始日 {start}", f"the maturity date is before the start date {start}"
    )


def _direct(ctx: Context, lang: str) -> str:
    asset = ctx.get("asset_id")
    return _pick(
        lang,
        f"直接数据资产「{asset}」没有数据资产登记编号；请披露登记证书",
        f"direct data asset '{asset}' has no registration ID; disclose the registration "
        "certificate",
    )


def _file_too_large(ctx: Context, lang: str) -> str:
    size, limit = _n(ctx, "bytes"), _n(ctx, "limit")
    return _pick(
        lang,
        f"文件大小为 {size} 字节，超过资产清单上限 {limit} 字节",
        f"the file is {size} bytes, more than the {limit} a tape may be",
    )


def _file_grew(ctx: Context, lang: str) -> str:
    limit = _n(ctx, "limit")
    return _pick(
        lang,
        f"文件在读取中超过了资产清单上限 {limit} 字节",
        f"the file grew past the {limit} bytes a tape may be",
    )


def _unreadable(ctx: Context, lang: str) -> str:
    return _pick(
        lang, "无法读取资产清单文件", f"the tape file cannot be read ({ctx.get('detail', '')})"
    )


def _xlsx_name(ctx: Context, lang: str) -> str:
    suffix = ctx.get("suffix") or ".xlsx"
    return _pick(
        lang,
        f"文件名为 {suffix}，但内容不是 .xlsx 工作簿；请另存为 .xlsx 或 CSV",
        f"the file has an {suffix} name but is not an .xlsx workbook; save it as .xlsx or CSV",
    )


#: Tape finding code (``abs.tape``, ``abs.xlsx_read``) → wording in the session language.
TAPE_RULES: dict[str, Wording] = {
    # the file
    "tape_file_not_found": _const("找不到资产清单文件", "tape file not found"),
    "tape_path_is_folder": _const("资产清单路径是文件夹，不是文件", "the tape path is a folder"),
    "tape_path_not_regular": _const(
        "资产清单路径不是普通文件（设备、管道或套接字）；请提供 .csv 或 .xlsx 文件",
        "the tape path is not a regular file (a device, pipe or socket); give a .csv or .xlsx file",
    ),
    "tape_file_permission": _const(
        "没有读取资产清单文件的权限", "the tape file is not readable (permission)"
    ),
    "tape_file_unreadable": _unreadable,
    "tape_file_too_large": _file_too_large,
    "tape_file_grew": _file_grew,
    "tape_xls_legacy": _const(
        "不支持旧版 .xls 工作簿；请另存为 .xlsx 或 CSV",
        "legacy .xls workbooks are not supported; save the tape as .xlsx or CSV",
    ),
    "tape_xlsx_name_not_workbook": _xlsx_name,
    # encoding and CSV structure
    "tape_encoding_bom": _encoding_bom,
    "tape_nul_byte": _nul_byte,
    "tape_utf8_bad_byte": _utf8_bad_byte,
    "tape_encoding_unknown": _encoding_unknown,
    "tape_unterminated_quote": _const(
        "引号未闭合：本行有一个以引号开头的单元格没有结束引号（其后的内容会被读成一个单元格）；"
        "请补上引号",
        "unterminated quote: a quoted cell opened in this row never closes (the rest of the "
        "file would be read as one cell); close the quote",
    ),
    "tape_malformed_csv": _malformed,
    "tape_stray_cr": _const(
        "行内有多余的回车符（\\r）：该行会被拆成两行；请删除单元格中的换行或给单元格加引号",
        "stray carriage return (\\r) inside a row: the row would be split in two; remove the "
        "line break from the cell or quote the cell",
    ),
    "tape_too_many_columns": _too_many_columns,
    "tape_row_too_many_cells": _row_too_many_cells,
    "tape_too_many_rows": _too_many_rows,
    # workbooks
    "tape_xlsx_unreadable": _xlsx_unreadable,
    "tape_xlsx_encrypted": _const(
        "工作簿已加密（设有密码）；请取消密码后保存",
        "the workbook is encrypted (password-protected); save it without a password",
    ),
    "tape_xlsx_too_many_parts": _too_many_parts,
    "tape_xlsx_no_sheet": _const("工作簿中没有工作表", "the workbook has no worksheet"),
    "tape_xlsx_unpacked_too_large": _unpacked,
    "tape_xlsx_sheet_too_large": _sheet_too_large,
    "tape_excel_error_cell": _const(
        "单元格是公式错误值而不是数据；请修正公式或直接填入数值",
        "the cell holds a spreadsheet error value, not data; fix the formula or enter the value",
    ),
    # the grid and its header
    "tape_empty": _empty,
    "tape_no_data_rows": _no_data,
    "tape_row_too_wide": _row_too_wide,
    "tape_column_no_header": _const("没有表头的列，已忽略", "column without a header is ignored"),
    "tape_column_unknown": _const(
        "无法识别的列，已忽略（可接受的表头见资产清单格式说明）",
        "unknown column is ignored (see docs/tape-format.md for accepted headers)",
    ),
    "tape_column_duplicate": _column_duplicate,
    "tape_required_column_missing": _required_missing,
    # cells
    "tape_value_required": _const("必填，不能为空", "a value is required"),
    "tape_value_invalid": _const("取值无效", "invalid value"),
    "tape_not_a_number": _const("不是数字", "not a number"),
    "tape_number_grouping": _const(
        "不是数字（千分位须每三位一组：1,234,567.89）",
        "not a number (thousands separators must group three digits: 1,234,567.89)",
    ),
    "tape_not_finite": _const("须为有限数字", "must be a finite number"),
    "tape_not_whole_number": _const("须为整数", "must be a whole number"),
    "tape_date_invalid": _const(
        f"不是有效的日期（{_DATE_FORMS_ZH}）", f"not a calendar date ({_DATE_FORMS_EN})"
    ),
    "tape_date_unparsable": _const(
        f"无法识别的日期（{_DATE_FORMS_ZH}）", f"unparsable date ({_DATE_FORMS_EN})"
    ),
    "tape_bool_invalid": _const(
        "须为是或否（可写 是/否 或 1/0）",
        "not a yes/no value (use Y/N, yes/no, true/false or 1/0)",
    ),
    "tape_enum_unknown": _enum_unknown,
    "tape_out_of_bounds": _out_of_bounds,
    "tape_amount_too_large": _amount_too_large,
    "tape_amount_below_fen": _const(
        "须不小于 0.01 元（1 分）", "must be at least 0.01 yuan (one fen)"
    ),
    "tape_amount_not_whole_fen": _const(
        "须精确到分：最多两位小数", "must be in whole fen: at most two decimal places"
    ),
    # across rows
    "tape_duplicate_asset_id": _duplicate_asset_id,
    "tape_maturity_before_start": _maturity,
    "tape_direct_without_registration": _direct,
    "tape_pool_total_too_large": _pool_total,
}


def rule_text(issue: Issue, lang: str) -> str:
    """The rule a tape finding breaks, worded in ``lang`` (the reader's English if uncoded)."""
    wording = TAPE_RULES.get(issue.code or "")
    if wording is not None:
        return wording(issue.context or {}, lang)
    return _pick(lang, "资产清单有误", issue.rule)


def _column_text(issue: Issue, lang: str) -> str | None:
    from abs.tape import match_header

    field = (issue.context or {}).get("field")
    if isinstance(field, str) and field:
        return field_label(field, lang)
    if issue.column and (named := match_header(issue.column)) is not None:
        return field_label(named, lang)  # a header as written in the file, e.g. 债务人
    return issue.column


def issue_text(issue: Issue, lang: str) -> str:
    """One tape finding in ``lang``: where (row, column), the rule and the value as typed.

    Examples
    --------
    >>> from abs.errors import Issue
    >>> issue = Issue("t.csv", "must be > 0", row=12, column="金额 (amount)", value="-5",
    ...               code="tape_out_of_bounds",
    ...               context={"field": "amount", "bounds": [[">", 0.0]]})
    >>> issue_text(issue, "zh")
    '第 12 行，入池金额 (amount)：须大于 0（值：-5）'
    >>> issue_text(issue, "en")
    'row 12, amount: must be greater than 0 (value: -5)'
    """
    where: list[str] = []
    if issue.row is not None:
        where.append(_pick(lang, f"第 {issue.row} 行", f"row {issue.row}"))
    column = _column_text(issue, lang)
    if column:
        where.append(column)
    text = rule_text(issue, lang)
    if where:
        text = _pick(lang, "，".join(where) + "：", ", ".join(where) + ": ") + text
    if issue.value is not None and issue.code not in VALUE_IN_RULE:
        text += _pick(lang, f"（值：{issue.value}）", f" (value: {issue.value})")
    return text


def error_text(exc: TapeError, name: str, lang: str) -> str:
    """A rejected tape in ``lang``: a header line naming the file, then one line per error."""
    errors = [i for i in exc.issues if i.severity == "error"]
    head = t("upload.tape_invalid", lang, name=name, n=len(errors))
    if lang == "en" and len(errors) == 1:
        head = t("upload.tape_invalid_one", lang, name=name)
    return head + "\n" + "\n".join(f"- {issue_text(i, lang)}" for i in errors)
