"""压力测试 Stress: the scenario set, a scenario × tranche heatmap, break-evens with the
indicative rating, and Monte Carlo (local or Dask) with a progress bar.

Engine calls: :func:`ui.engine.stress_grid` (``scenarios.grid.run_grid``, one vectorised run),
:func:`ui.engine.breakevens` and :func:`ui.engine.rating` (``scenarios.breakeven`` /
``scenarios.rating``), :func:`ui.engine.monte_carlo` (``scenarios.montecarlo.run_mc``).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import engine, localize, state
from ui import format as fmt
from ui.engine import MonteCarloView, StressView
from ui.i18n import set_label, t
from ui.progress import RateClock, format_duration
from ui.views._shared import guarded, header, plot, table

#: Break-even factors searched (临界收入降幅 and 临界违约倍数).
BREAKEVEN_FACTORS: tuple[str, ...] = ("revenue_haircut", "pd_multiplier")
#: Session key of the last Monte Carlo result.
KEY_MC = "stress_mc_result"
#: Monte Carlo bounds: fewest paths worth a histogram, most Dask workers offered.
MC_MIN_PATHS = 100
MC_MAX_WORKERS = 16
#: Monte Carlo defaults: enough paths for a stable histogram in a few seconds.
MC_DEFAULT_PATHS = 2000
MC_DEFAULT_SEED = 20260331
MC_MAX_PATHS = 200_000


def grid_display(view: StressView) -> pd.DataFrame:
    """The grid table with shortfalls in 万元, loss/yield in percent and coverage as ×."""
    from scenarios import grid as g

    out = view.table.copy()
    out[g.COL_PAID] = ["✓" if bool(v) else "✗" for v in view.table[g.COL_PAID]]
    out[g.COL_SHORTFALL] = [fmt.wan(float(v)) for v in view.table[g.COL_SHORTFALL]]
    out[g.COL_LOSS] = [fmt.pct(float(v)) for v in view.table[g.COL_LOSS]]
    out[g.COL_YIELD] = [fmt.pct(float(v)) for v in view.table[g.COL_YIELD]]
    out[g.COL_WAL] = [fmt.years(float(v)) for v in view.table[g.COL_WAL]]
    for col in (g.COL_MIN_COV, g.COL_LIFE_COV, g.COL_MIN_COV_P):
        out[col] = [fmt.ratio(float(v)) for v in view.table[col]]
    return out.rename(columns={g.COL_SHORTFALL: "短缺金额(万元) shortfall"})


def heatmap(view: StressView, metric: str, lang: str) -> go.Figure:
    """Scenario (rows) × tranche (columns) heatmap of loss or minimum coverage."""
    if metric == "loss":
        data = view.loss
        text = [[fmt.pct(float(v)) for v in row] for row in data.to_numpy()]
        z = [[float(v) * 100 for v in row] for row in data.to_numpy()]
        scale = [[0, "#e8f1e4"], [0.05, "#ffe699"], [1, "#c00000"]]
        zmin, zmax = 0.0, max(1.0, max((max(r) for r in z), default=0.0))
        title = t("stress.heat.loss", lang)
    else:
        data = view.min_coverage_principal
        text = [[fmt.ratio(float(v)) for v in row] for row in data.to_numpy()]
        z = [
            [min(float(v), 3.0) if math.isfinite(float(v)) else 3.0 for v in row]
            for row in data.to_numpy()
        ]
        scale = [[0, "#c00000"], [1 / 3, "#ffe699"], [0.4, "#e2f0d9"], [1, "#548235"]]
        zmin, zmax = 0.0, 3.0
        title = t("stress.heat.coverage", lang)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in data.columns],
            y=[str(i) for i in data.index],
            text=text,
            texttemplate="%{text}",
            colorscale=scale,
            zmin=zmin,
            zmax=zmax,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_layout(
        height=90 + 55 * len(data.index),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=title,
        yaxis={"autorange": "reversed"},
    )
    return fig


def coverage_lines(view: StressView, lang: str) -> go.Figure:
    """Senior coverage per payment date, one line per scenario (capped at 10×)."""
    fig = go.Figure()
    for name in view.coverage.columns:
        values = [
            min(float(v), 10.0) if math.isfinite(float(v)) else None for v in view.coverage[name]
        ]
        fig.add_trace(
            go.Scatter(
                x=[str(d) for d in view.coverage.index],
                y=values,
                name=str(name),
                mode="lines+markers",
            )
        )
    fig.add_hline(y=1.0, line_dash="dash", line_color="#c00000", annotation_text="1.0×")
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=t("stress.coverage_chart", lang),
        legend={"orientation": "h"},
    )
    return fig


def loss_histogram(view: MonteCarloView, tranche: str, lang: str) -> go.Figure:
    """Loss distribution of one tranche: share of paths (%) per loss bin (loss in percent)."""
    counts, edges = view.histograms[tranche]
    total = sum(counts) or 1.0
    if math.isclose(edges[-1] - edges[0], 1.0) and sum(1 for c in counts if c) == 1:
        # every path lost the same (numpy widens that to ±0.5): one bar at that loss
        value = (edges[0] + edges[-1]) / 2
        centres, widths, shares = [value * 100], [0.5], [100.0]
    else:
        centres = [(edges[i] + edges[i + 1]) / 2 * 100 for i in range(len(counts))]
        widths = [(edges[i + 1] - edges[i]) * 100 for i in range(len(counts))]
        shares = [c / total * 100 for c in counts]
    fig = go.Figure(
        go.Bar(
            x=centres,
            y=shares,
            width=widths,
            marker_color="#1f4e79",
            hovertemplate="%{x:.2f}%: %{y:.2f}%<extra></extra>",
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=t("stress.mc.hist_title", lang, tranche=tranche, n=f"{view.n_paths:,}"),
        xaxis={"title": t("stress.mc.loss_axis", lang), "rangemode": "tozero"},
        yaxis_title=t("stress.mc.share_axis", lang),
        bargap=0.05,
    )
    return fig


def mc_display(view: MonteCarloView) -> pd.DataFrame:
    """The Monte Carlo summary with fractions in percent and years/multiples as text."""
    out = view.summary.copy()
    for col in out.columns:
        if out[col].dtype.kind != "f":
            continue
        lowered = str(col).lower()
        if "wal" in lowered:
            out[col] = [fmt.years(float(v)) for v in view.summary[col]]
        elif "coverage" in lowered:
            out[col] = [fmt.ratio(float(v)) for v in view.summary[col]]
        else:
            out[col] = [fmt.pct(float(v)) for v in view.summary[col]]
    return out


def _mc_key(deal_json: str, n_paths: int, seed: int, engine_name: str) -> str:
    digest = hashlib.sha256(deal_json.encode("utf-8")).hexdigest()[:16]
    return f"{digest}:{n_paths}:{seed}:{engine_name}"


def render_grid(deal_json: str, lang: str) -> None:
    """The scenario set, its factors, the results table, heatmap and coverage lines."""
    sets = engine.scenario_set_names()
    default = engine.default_set_name(deal_json)
    set_name = st.selectbox(
        t("stress.set"),
        sets,
        index=sets.index(default) if default in sets else 0,
        format_func=lambda n: set_label(str(n), lang) + (" ✔" if n == default else ""),
        key="stress_set",
    )
    view = engine.stress_grid(deal_json, str(set_name))
    st.markdown(f"**{t('stress.factors')}**")
    table(view.factors, hide_index=False, key="stress_factors")
    st.markdown(f"**{t('stress.results')}**")
    table(grid_display(view), hide_index=True, key="stress_table")
    metric = st.radio(
        t("stress.heat.metric"),
        ["loss", "min_coverage"],
        format_func=lambda m: t(f"stress.heat.{m}", lang),
        horizontal=True,
        key="stress_metric",
    )
    left, right = st.columns(2)
    with left:
        plot(heatmap(view, str(metric), lang), key="stress_heatmap")
    with right:
        plot(coverage_lines(view, lang), key="stress_coverage")


def breakeven_display(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Break-evens as % or × with "不触发" where a tranche never fails (no raw fractions)."""
    from scenarios import breakeven as be
    from scenarios.factors import FACTOR_BY_ID

    by_label = {f.label: f.id for f in FACTOR_BY_ID.values()}
    statuses = [str(s).rsplit("(", 1)[-1].rstrip(")") for s in frame[be.COL_STATUS]]
    out = frame.copy()
    out[be.COL_VALUE] = [
        be.format_breakeven(by_label.get(str(f), ""), float(v), status, lang=lang)
        for f, v, status in zip(frame[be.COL_FACTOR], frame[be.COL_VALUE], statuses, strict=True)
    ]
    out[be.COL_FAIL] = [
        "—"
        if not math.isfinite(float(v))
        else be.format_breakeven(by_label.get(str(f), ""), float(v), "found", lang=lang)
        for f, v in zip(frame[be.COL_FACTOR], frame[be.COL_FAIL], strict=True)
    ]
    out[be.COL_CDR] = [fmt.pct(float(v)) for v in frame[be.COL_CDR]]
    return out.drop(columns=[be.COL_UNIT])


def _is_fraction(unit: str) -> bool:
    return unit.startswith("fraction")


def render_custom(deal_json: str, lang: str) -> None:
    """Add a scenario from the factor catalogue (saved with the deal) or remove one."""
    from abs.assumptions import Stress
    from scenarios.factors import FACTOR_BY_ID, FACTORS, changed_factors

    deal = engine.deal_from_json(deal_json)
    st.subheader(t("stress.custom"))
    st.caption(t("stress.custom_note"))
    if deal.stress_scenarios:
        rows = [
            {
                t("stress.custom.name", lang): c.name,
                t("stress.custom.factors", lang): "、".join(
                    f"{FACTOR_LABEL(fid, lang)} {v:g}"
                    for fid, v in changed_factors(c.stress).items()
                )
                or "—",
            }
            for c in deal.stress_scenarios
        ]
        table(pd.DataFrame(rows), key="custom_table")
        names = [c.name for c in deal.stress_scenarios]
        c1, c2 = st.columns([2, 1])
        drop = c1.selectbox(t("stress.custom.remove_pick"), names, key="custom_remove_pick")
        if c2.button(t("stress.custom.remove"), key="custom_remove"):
            kept = tuple(c for c in deal.stress_scenarios if c.name != drop)
            _save_custom(deal, kept, t("stress.custom.log_remove", lang, name=str(drop)))
    with st.form("custom_form"):
        name = st.text_input(t("stress.custom.name"), key="custom_name")
        values: dict[str, Any] = {}
        cols = st.columns(4)
        numeric = [f for f in FACTORS if f.kind != "bool"]
        for i, f in enumerate(numeric):
            unit = (
                t("stress.custom.pct", lang)
                if _is_fraction(f.unit)
                else localize.unit_label(f.unit, lang)
            )
            shown = f.neutral * 100 if _is_fraction(f.unit) else f.neutral
            raw = cols[i % 4].number_input(
                f"{FACTOR_LABEL(f.id, lang)} ({unit})",
                value=float(shown),
                step=1.0 if f.kind == "int" else 0.5,
                key=f"custom_{f.id}",
            )
            value = float(raw) / 100 if _is_fraction(f.unit) else float(raw)
            values[f.id] = round(value) if f.kind == "int" else value
        for f in [f for f in FACTORS if f.kind == "bool"]:
            values[f.id] = st.checkbox(FACTOR_LABEL(f.id, lang), key=f"custom_{f.id}")
        submitted = st.form_submit_button(t("stress.custom.add"))
    if submitted:
        from pydantic import ValidationError

        from ui.messages import rule_text

        try:
            stress = Stress.model_validate(
                {k: v for k, v in values.items() if k in Stress.model_fields}
            )
        except ValidationError as exc:  # name the factor and the rule, in the session language
            from abs.errors import Issue

            detail = ("；" if lang == "zh" else "; ").join(
                f"{FACTOR_LABEL(str(e['loc'][0]), lang)}{'：' if lang == 'zh' else ': '}"
                + rule_text(
                    Issue("stress", str(e["msg"]), code=str(e["type"]), context=e.get("ctx")),
                    kind="pct" if _is_fraction(FACTOR_BY_ID[str(e["loc"][0])].unit) else None,
                    lang=lang,
                )
                for e in exc.errors()
            )
            st.error(t("stress.custom.invalid", detail=detail))
            return
        from abs.deal import CustomScenario

        if not name.strip():
            st.error(t("stress.custom.no_name"))
            return
        kept = tuple(c for c in deal.stress_scenarios if c.name != name.strip())
        try:
            added = CustomScenario(name=name.strip(), stress=stress)
        except ValidationError as exc:  # a name longer than the model allows
            from abs.errors import Issue

            detail = ("；" if lang == "zh" else "; ").join(
                f"{t('stress.custom.name', lang)}{'：' if lang == 'zh' else ': '}"
                + rule_text(
                    Issue("stress", str(e["msg"]), code=str(e["type"]), context=e.get("ctx")),
                    kind=None,
                    lang=lang,
                )
                for e in exc.errors()
            )
            st.error(t("stress.custom.not_saved", detail=detail))
            return
        _save_custom(deal, (*kept, added), t("stress.custom.log_add", lang, name=name.strip()))


def FACTOR_LABEL(fid: str, lang: str) -> str:  # noqa: N802 - reads like a constant lookup
    """A factor's name in ``lang``."""
    from scenarios.factors import FACTOR_BY_ID

    f = FACTOR_BY_ID[fid]
    return f.zh if lang == "zh" else f.en


def _save_custom(deal: Any, scenarios: tuple[Any, ...], edit: str) -> None:
    data = deal.model_dump(mode="json")
    data["stress_scenarios"] = [s.model_dump(mode="json") for s in scenarios]
    lang = state.language()
    new_deal, issues = engine.validate_deal_data(data, source=t("page.stress"))
    if new_deal is None:
        from ui.messages import rule_text

        detail = ("；" if lang == "zh" else "; ").join(
            rule_text(i, kind=None, lang=lang) for i in issues
        )
        st.error(t("stress.custom.not_saved", detail=detail))
        return
    new_json = engine.deal_to_json(new_deal)
    from scenarios.sets import builtin_sets

    builtin = builtin_sets().get(engine.default_set_name(new_json))
    clash = [s.name for s in scenarios if builtin is not None and s.name in builtin.names]
    if clash:  # the grid runs the set's scenarios and the deal's own side by side
        st.error(t("stress.custom.name_clash", name=clash[0]))
        return
    try:  # a name clash with the set's scenarios is reported before the deal changes
        engine.stress_grid(new_json, engine.default_set_name(new_json))
    except Exception as exc:
        from abs.errors import DabsError

        if not isinstance(exc, DabsError):
            raise
        st.error(str(exc))
        return
    state.set_current(new_json, source_label=state.source(), edit=edit)
    st.rerun()


def render_breakeven(deal_json: str) -> None:
    """Break-even per tranche and the indicative rating, computed on request (cached)."""
    lang = state.language()
    st.subheader(t("stress.breakeven"))
    st.caption(t("stress.breakeven_note"))
    if not st.toggle(t("stress.breakeven_run"), key="stress_breakeven_on"):
        return
    with st.spinner(t("stress.breakeven_running")):
        breakeven = engine.breakevens(deal_json, BREAKEVEN_FACTORS)
        grades = engine.rating(deal_json)
    table(breakeven_display(breakeven, lang), key="breakeven_table")
    st.markdown(f"**{t('stress.rating')}**")
    table(grades, digits=4, key="rating_table")


def render_mc(deal_json: str, lang: str) -> None:
    """Monte Carlo form, progress bar, summary and loss distribution."""
    st.subheader(t("stress.mc"))
    c1, c2, c3, c4 = st.columns(4)
    # no widget bounds: the browser would keep the previous count while showing the typed
    # one; the count is checked here, and the run is refused with a message instead
    n_paths = int(
        c1.number_input(
            t("stress.mc.paths"),
            value=MC_DEFAULT_PATHS,
            step=500,
            key="mc_paths",
        )
    )
    seed = int(c2.number_input(t("stress.mc.seed"), value=MC_DEFAULT_SEED, step=1, key="mc_seed"))
    engine_name = str(
        c3.radio(
            t("stress.mc.engine"),
            ["local", "dask"],
            format_func=lambda e: t(f"stress.mc.engine_{e}", lang),
            key="mc_engine",
        )
    )
    workers = int(c4.number_input(t("stress.mc.workers"), value=2, step=1, key="mc_workers"))
    problems = []
    if not MC_MIN_PATHS <= n_paths <= MC_MAX_PATHS:
        problems.append(
            t(
                "stress.mc.bad_paths",
                value=f"{n_paths:,}",
                lo=f"{MC_MIN_PATHS:,}",
                hi=f"{MC_MAX_PATHS:,}",
            )
        )
    if engine_name == "dask" and not 1 <= workers <= MC_MAX_WORKERS:
        problems.append(t("stress.mc.bad_workers", value=str(workers), hi=str(MC_MAX_WORKERS)))
    for problem in problems:
        st.error(problem)
    key = _mc_key(deal_json, n_paths, seed, engine_name)
    if st.button(t("stress.mc.run"), key="mc_run", type="primary", disabled=bool(problems)):
        clock = RateClock(total=n_paths)

        def label(done: int, total: int) -> str:
            return t(
                "stress.mc.progress",
                done=f"{done:,}",
                total=f"{total:,}",
                rate=f"{clock.rate(done):,.0f}",
                eta=format_duration(clock.eta(done)),
            )

        bar = st.progress(0.0, text=label(0, n_paths))

        def progress(done: int, total: int) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=label(done, total))

        view = engine.monte_carlo(
            deal_json,
            n_paths=n_paths,
            seed=seed,
            engine=engine_name,
            workers=workers if engine_name == "dask" else None,
            progress=progress,
        )
        st.session_state[KEY_MC] = (key, view)
    stored: Any = st.session_state.get(KEY_MC)
    if not stored or stored[0] != key:
        st.caption(t("stress.mc.hint"))
        return
    view = stored[1]
    table(mc_display(view), hide_index=True, key="mc_table")
    names = list(view.histograms)
    pick = st.selectbox(t("stress.mc.tranche"), names, index=len(names) - 1, key="mc_tranche")
    plot(loss_histogram(view, str(pick), lang), key="mc_hist")


def render() -> None:
    """Draw the page."""
    header("page.stress")
    lang = state.language()
    deal_json = state.current_json()
    render_grid(deal_json, lang)
    render_custom(deal_json, lang)
    render_breakeven(deal_json)
    render_mc(deal_json, lang)


if __name__ == "__main__":
    guarded(render)
