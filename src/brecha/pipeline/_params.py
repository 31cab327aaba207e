"""Check a spec's ``[params]`` against the function's type hints, with pydantic.

A real validator checks what a hand-written one missed: unions and
``Literal`` choices (``normalisation = "rank" | "minmax"``), the value types
of a table (``dict[str, float]``), ranges declared with
``Annotated[float, Field(gt=0)]``, and non-finite numbers (``inf``, ``nan``:
TOML accepts them, no distance or weight means them). Values are checked
strictly (``true`` is not a number, ``"5"`` is not an int) and never
converted: the function gets what the spec says.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

import pydantic

__all__ = ["check_values", "settings_class", "to_call"]

_CONFIG = pydantic.ConfigDict(strict=True, allow_inf_nan=False, arbitrary_types_allowed=True)


@functools.lru_cache(maxsize=256)
def _adapter(hint: Any) -> pydantic.TypeAdapter | None:
    try:
        return pydantic.TypeAdapter(hint, config=_CONFIG)
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError):
        return None  # a type pydantic cannot check (a frame, a callable): left to the function


def _nonfinite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_nonfinite(v) for v in value.values())
    if isinstance(value, list):
        return any(_nonfinite(v) for v in value)
    return False


def _expected(err: Any, hint: Any) -> str:
    where = ".".join(str(x) for x in err.get("loc", ()))
    if typing.get_origin(hint) is typing.Annotated:  # the range is said by the message; name the type
        hint = typing.get_args(hint)[0]
    name = hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")
    at = f" at {where}" if where else ""
    return f"a value of type {name} ({err['msg'].lower()}{at})"


def settings_class(hint: Any) -> type | None:
    """The dataclass a parameter takes (``GapSettings`` or ``GapSettings | None``), else None.

    A spec gives such a parameter as a TOML table of the dataclass's fields
    (``[params.gap]``); each field is checked against its own hint and the
    function gets the dataclass built from it (:func:`to_call`).
    """
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        found = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a) and isinstance(a, type)]
        return found[0] if len(found) == 1 else None
    return None


def _fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name) for f in dataclasses.fields(cls) if f.init}


def to_call(params: Mapping[str, Any], hints: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as the function takes them: a table given for a settings dataclass becomes that dataclass."""
    out = dict(params)
    for key, value in params.items():
        cls = settings_class(hints.get(key))
        if cls is not None and isinstance(value, dict):
            out[key] = cls(**value)
    return out


def check_values(params: Mapping[str, Any], hints: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems with ``params`` as ``(key, expected)`` pairs, checked against ``hints``.

    Parameters
    ----------
    params
        The spec's values by parameter name.
    hints
        The function's resolved type hints for those names.
    """
    out = []
    for key, value in params.items():
        hint = hints.get(key)
        if hint is None:
            continue
        cls = settings_class(hint)
        if cls is not None and isinstance(value, dict):
            fields = _fields(cls)
            out += [(f"{key}.{k}", f"a field of {cls.__name__}: one of {sorted(fields)}")
                    for k in value if k not in fields]
            out += [(f"{key}.{k}", why) for k, why in check_values({k: v for k, v in value.items() if k in fields},
                                                                  fields)]
            continue
        if _nonfinite(value):
            out.append((key, f"a finite number (got {value!r}: inf and nan are not distances, weights or counts)"))
            continue
        adapter = _adapter(hint)
        if adapter is None:
            continue
        try:
            adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            out.append((key, "; ".join(_expected(e, hint) for e in exc.errors(include_url=False)[:3])))
    return out
