"""Field types shared by every schema: strict where JSON would otherwise be guessed at.

Money is a decimal string (a JSON number would pass through a binary float); dates are ISO
8601 strings (not epoch numbers); counts are integers (not "3"); rates and scores are finite
numbers in their range.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictFloat,
    StrictInt,
)
from pydantic_core import PydanticCustomError

from underwriting.credit_code import credit_code_problem

BIGINT_MAX = 2**63 - 1


def _require_str(expected: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise PydanticCustomError(
                "string_required", "must be {expected}", {"expected": expected}
            )
        return value

    return check


def _valid_credit_code(code: str) -> str:
    problem = credit_code_problem(code)
    if problem:
        raise PydanticCustomError("credit_code", "credit code {problem}", {"problem": problem})
    return code


def _distinct(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicates", "must not repeat a value")
    return values


IsoDate = Annotated[date, BeforeValidator(_require_str("an ISO 8601 date like 2025-03-31"))]
#: An instant with its UTC offset, sent as text: "2026-11-20T09:30:00+08:00".
IsoInstant = Annotated[
    AwareDatetime,
    BeforeValidator(
        _require_str("an ISO 8601 time with its offset like 2026-11-20T09:30:00+08:00")
    ),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_require_str('a decimal string in CNY like "12345.67"')),
    Field(ge=0, max_digits=18, decimal_places=2),
]
#: Money in a response: always two places, as a string ("60000.00").
MoneyOut = Annotated[Decimal, PlainSerializer(lambda value: f"{value:.2f}", return_type=str)]
Id = Annotated[StrictInt, Field(ge=1, le=BIGINT_MAX)]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Rate = Annotated[StrictFloat, Field(ge=0, le=1, allow_inf_nan=False)]
Score = Annotated[StrictFloat, Field(ge=0, le=100, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
CreditCode = Annotated[
    str,
    Field(min_length=18, max_length=18, examples=["91350100M000100Y43"]),
    AfterValidator(_valid_credit_code),
]


def Distinct(item: Any, *, max_length: int) -> Any:  # noqa: N802 - reads as a type
    """A list of 1..max_length distinct ``item`` values."""
    return Annotated[
        list[item], Field(min_length=1, max_length=max_length), AfterValidator(_distinct)
    ]


class Input(BaseModel):
    """A request body: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    """A response body, read from a row's attributes."""

    model_config = ConfigDict(from_attributes=True)
