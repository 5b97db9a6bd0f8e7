"""导出 Export: the filing workbook, the CSV zip and the JSON document; save and load the deal.

The filing files are built by ``scenarios.filing_package.build_filing_tables`` and the writers in
``abs.filing`` (through :func:`ui.engine.filing_files`), in memory. "Save deal" downloads the
current deal file — structure, assumptions and the pool embedded — so nothing is lost between
sessions; loading it back (here or in the sidebar) restores exactly that deal.
"""

from __future__ import annotations

import re

import streamlit as st

from ui import engine, state
from ui.i18n import current_language, set_label, t
from ui.views._shared import guarded, header, upload_box

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Characters not allowed in a download file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_stem(name: str) -> str:
    """A safe file-name stem from a deal name (Chinese kept, separators replaced).

    Examples
    --------
    >>> file_stem("平安-如皋第1期 (示例)")
    '平安-如皋第1期_(示例)'
    """
    stem = _UNSAFE.sub("_", name.strip()).strip("_")
    return stem[:80] or "deal"


def render() -> None:
    """Draw the page."""
    deal = header("page.export")
    deal_json = state.current_json()
    stem = file_stem(deal.name)

    st.subheader(t("export.filing"))
    st.caption(t("export.filing_note"))
    sets = engine.scenario_set_names()
    default = engine.default_set_name(deal_json)
    c1, c2, c3, c4, c5 = st.columns(5)
    with_stress = c1.toggle(t("export.with_stress"), value=True, key="export_stress")
    with_breakeven = c5.toggle(t("export.with_breakeven"), value=True, key="export_breakeven")
    stress_set = c2.selectbox(
        t("stress.set"),
        sets,
        index=sets.index(default) if default in sets else 0,
        format_func=lambda n: set_label(str(n), state.language()),
        key="export_set",
        disabled=not with_stress,
    )
    mc_paths = int(
        c3.number_input(
            t("export.mc_paths"), min_value=0, max_value=100_000, value=0, step=1000, key="exp_mc"
        )
    )
    seed = int(c4.number_input(t("stress.mc.seed"), value=20260331, step=1, key="export_seed"))
    encoding = st.radio(
        t("export.csv_encoding"),
        ["utf-8-sig", "gbk"],
        format_func=lambda e: t(f"export.encoding.{e}"),
        horizontal=True,
        key="export_encoding",
    )
    with st.spinner(t("export.building")):
        files = engine.filing_files(
            deal_json,
            stress_set=str(stress_set) if with_stress else None,
            mc_paths=mc_paths,
            seed=seed,
            csv_encoding=str(encoding),
            breakeven=with_breakeven,
        )
    from abs.filing.sheets import SHEETS

    english = {zh: en for _, zh, en in SHEETS}
    lang = current_language()
    names = [s if lang == "zh" else english.get(s, s) for s in files.sheets]
    st.markdown(
        t("export.sheets", sheets=("、" if lang == "zh" else ", ").join(names), n=len(names))
    )
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        t("export.download_xlsx"),
        data=files.xlsx,
        file_name=f"{stem}_申报表格.xlsx",
        mime=XLSX_MIME,
        key="download_xlsx",
        icon=":material/table:",
        type="primary",
    )
    d2.download_button(
        t("export.download_csv"),
        data=files.csv_zip,
        file_name=f"{stem}_申报表格_csv.zip",
        mime="application/zip",
        key="download_csv",
        icon=":material/folder_zip:",
    )
    d3.download_button(
        t("export.download_json"),
        data=files.json,
        file_name=f"{stem}_申报表格.json",
        mime="application/json",
        key="download_json",
        icon=":material/data_object:",
    )

    st.subheader(t("export.deal_file"))
    st.caption(t("export.deal_note"))
    st.download_button(
        t("export.save_deal"),
        data=engine.deal_json_bytes(deal_json),
        file_name=f"{stem}.deal.json",
        mime="application/json",
        key="download_deal",
        icon=":material/save:",
    )
    edits = state.edits()
    if edits:
        st.caption(t("export.unsaved_edits", n=len(edits)))
    upload_box(slot="export", label_key="export.load_deal", types=["json"], rerun=True)


if __name__ == "__main__":
    guarded(render)
