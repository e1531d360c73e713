"""The factor method's part of the schema (因素法: `funds[].distribution`, `regions`), apart from
`model.py` (which holds the rest and imports these), so that each stays one screenful of concerns.

Weights and difficulties are exact decimals as a person wrote them (a float is read by its repr,
0.1 as 0.1), never negative; `allocate.distribution` computes the region amounts from them.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _weight(value: Any) -> Decimal:
    """A weight or a difficulty: a number ≥ 0 (floats by their repr), as an exact Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"must be a number ≥ 0, got {value!r}")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"must be a number ≥ 0, got {value!r}") from None
    if not number.is_finite() or number < 0 or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError(f"must be a number ≥ 0, got {value!r}")
    return number + 0


Weight = Annotated[Decimal, BeforeValidator(_weight)]


def _at_most_one(value: Decimal) -> Decimal:
    if value > 1:
        raise ValueError(f"the part of the budget split by the factors is from 0 to 1, got {value} / "
                         f"按因素分配的预算比例应在 0 到 1 之间，实为 {value}")
    return value


Share = Annotated[Decimal, BeforeValidator(_weight), AfterValidator(_at_most_one)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Factors(_Strict):
    """The factor method's weights (2018 管理办法: capacity 50%, workers 30%, difficulty 20%), each its part of their sum."""

    capacity: Weight = Decimal(0)
    workers: Weight = Decimal(0)
    difficulty: Weight = Decimal(0)


class Distribution(_Strict):
    """因素法: the budget split between regions (path prefixes of depth `level`, or each enterprise) by
    factors first; each region's amount caps what the fund pays its enterprises (`allocate.distribution`).
    `share` < 1 splits only that part of the budget; the rest (the pool, 不分地区) tops up any region."""

    level: Annotated[int, Field(ge=1)] | Literal["enterprise"] = 1
    share: Share = Decimal(1)  # the part of the budget split by the factors; the rest tops up any region
    factors: Factors
    early_exit_weights: dict[int, Weight] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _some_weight(self) -> "Distribution":
        if self.weight_total == 0:
            raise ValueError("give at least one factor a weight above 0 / 至少一个因素的权重须大于 0")
        return self

    @property
    def weight_total(self) -> Decimal:
        """Σ of the weights: each counts as its part of it (a diagnosis warning where it is not 1)."""
        return self.factors.capacity + self.factors.workers + self.factors.difficulty

    @property
    def depth(self) -> int | None:
        """The region path depth, or None: each enterprise alone."""
        return None if self.level == "enterprise" else int(self.level)


class Region(_Strict):
    """Data per region path, for the factor method's difficulty factor (1 where not given)."""

    path: Annotated[str, BeforeValidator(lambda v: v.strip(" \t\u00a0\u3000") if isinstance(v, str) else v)]
    difficulty: Weight = Decimal(1)
