"""Default payment orders built from a deal's tranches and fees (DOMAIN.md templates)."""

from __future__ import annotations

from typing import Any

from abs.deal import Deal, PayFees, PayInterest, PayPrincipal, PayResidual, PaySubYield
from abs.enums import AllocationMode
from abs.io import load_deal
from abs.templates import default_waterfall, effective_waterfall


def _deal(**kw: Any) -> Deal:
    data: dict[str, Any] = {
        "name": "模板",
        "dates": {
            "cutoff_date": "2025-01-01",
            "closing_date": "2025-01-01",
            "first_payment_date": "2025-04-01",
            "expected_maturity_date": "2026-01-01",
            "legal_maturity_date": "2026-07-01",
        },
        "tranches": [
            {"name": "A1", "tranche_class": "senior", "balance": 60, "coupon": {"rate": 0.02}},
            {"name": "A2", "tranche_class": "senior", "balance": 30, "coupon": {"rate": 0.025}},
            {"name": "B", "tranche_class": "mezzanine", "balance": 5, "coupon": {"rate": 0.04}},
            {"name": "次级", "tranche_class": "subordinated", "balance": 5, "period_yield": 0.03},
        ],
        "fees": [
            {"name": "税", "fee_type": "tax", "rate": 0.03},
            {"name": "托管费", "fee_type": "percentage", "rate": 0.0001, "cap": 10},
            {"name": "评级费", "fee_type": "fixed", "amount": 1, "cap": 1},
            {"name": "服务费", "fee_type": "percentage", "rate": 0.001},
        ],
        "reserve": {"initial_balance": 1},
    }
    data.update(kw)
    return Deal.model_validate(data)


def _describe(steps: tuple[Any, ...]) -> list[str]:
    out = []
    for s in steps:
        if isinstance(s, PayFees):
            out.append(f"fees {'+'.join(s.fees)} {s.mode.value}")
        elif isinstance(s, PayInterest):
            out.append(f"interest {'+'.join(s.tranches)}")
        elif isinstance(s, PayPrincipal):
            out.append(f"principal {'+'.join(s.tranches)}{' turbo' if s.turbo else ''}")
        elif isinstance(s, PaySubYield):
            out.append(f"yield {s.tranche}")
        elif isinstance(s, PayResidual):
            out.append(f"residual {s.tranche}{' wait' if s.wait_for_seniors else ''}")
        else:
            out.append(s.step)
    return out


def test_normal_order_follows_domain_template() -> None:
    wf = default_waterfall(_deal())
    assert _describe(wf.normal) == [
        "fees 税 sequential",
        "fees 托管费+评级费 pro_rata",
        "fees 服务费 sequential",
        "interest A1+A2",
        "interest B",
        "principal A1+A2",
        "principal B",
        "fund_reserve",
        "yield 次级",
        "principal 次级",
        "residual 次级 wait",
    ]


def test_accelerated_order_turbo_pays_seniors_first() -> None:
    wf = default_waterfall(_deal())
    assert _describe(wf.accelerated) == [
        "fees 税 sequential",
        "fees 托管费+评级费 pro_rata",
        "fees 服务费 sequential",
        "interest A1+A2",
        "principal A1+A2 turbo",
        "interest B",
        "principal B turbo",
        "principal 次级 turbo",
        "residual 次级",
    ]
    principal = [s for s in wf.accelerated if isinstance(s, PayPrincipal)]
    assert all(s.mode is AllocationMode.SEQUENTIAL and s.wait_for_seniors for s in principal)


def test_subordinated_coupon_is_paid_before_its_yield() -> None:
    deal = _deal()
    tranches = [t.model_dump() for t in deal.tranches]
    tranches[3]["coupon"] = {"rate": 0.01}
    wf = default_waterfall(_deal(tranches=tranches, fees=[], reserve=None))
    assert _describe(wf.normal)[-4:] == [
        "interest 次级",
        "yield 次级",
        "principal 次级",
        "residual 次级 wait",
    ]


def test_effective_waterfall_prefers_the_deals_own() -> None:
    own = {
        "normal": [{"step": "pay_principal", "tranches": ["A1"]}],
        "accelerated": [{"step": "pay_principal", "tranches": ["A1"], "turbo": True}],
    }
    deal = _deal(waterfall=own)
    assert effective_waterfall(deal) == deal.waterfall
    assert effective_waterfall(_deal()) == default_waterfall(_deal())


def test_examples_have_valid_templates() -> None:
    for name in ("qingdao-pure", "rugao-labelled", "tianfeng-enabled"):
        deal = load_deal(name, with_pool=False)
        wf = effective_waterfall(deal)
        # Round trip through the deal model validates every referenced name.
        Deal.model_validate({**deal.model_dump(mode="json"), "waterfall": wf.model_dump()})
