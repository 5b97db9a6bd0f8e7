"""Shared pydantic base for every spec model: frozen, no unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Spec(BaseModel):
    """Immutable spec model: a misspelt field is an error, never silently dropped; no NaN/inf."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_default=True,
        use_enum_values=False,
        ser_json_inf_nan="strings",
        # NaN and ±Infinity are never a valid amount, rate or threshold: a NaN trigger
        # threshold silently never fires. Every float field rejects them, naming the field.
        allow_inf_nan=False,
    )
