"""Shipped example deals (illustrative pools matched to public facts; see docs/examples.md).

Each example is a folder with ``deal.json`` and a tape it references. Every CLI command that
takes a deal or tape accepts an example name in place of a path.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent

#: Example name → one-line description (中文 / English).
EXAMPLES: dict[str, str] = {
    "qingdao-pure": "纯数据型 100%: 数据授权与算法服务合同, 发行5亿元 / pure data, 0.5bn issue",
    "rugao-labelled": "贴标型: 10笔应收账款, 质押数据资产占50.46% / labelled, pledged share 50.46%",
    "tianfeng-enabled": "赋能型: 国企付款方供应链应收账款, 约5.1亿元 / enabled, SOE receivables",
    "scf-revolving-labelled": "贴标型循环购买: 供应链应收账款, 质押数据资产51.05%, 循环期12个月"
    " / labelled, revolving, near the 50% floor",
}


def example_names() -> tuple[str, ...]:
    """Names of the shipped examples, in display order."""
    return tuple(EXAMPLES)


def example_dir(name: str) -> Path:
    """Folder of example ``name``.

    Raises
    ------
    KeyError
        If ``name`` is not a shipped example (the message lists them).
    """
    if name not in EXAMPLES:
        raise KeyError(f"no example named {name!r}; examples are {', '.join(EXAMPLES)}")
    return EXAMPLES_DIR / name


def example_deal_path(name: str) -> Path:
    """Path of the example's ``deal.json``."""
    return example_dir(name) / "deal.json"
