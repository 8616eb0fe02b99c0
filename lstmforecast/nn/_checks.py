"""Argument checks shared by the torch modules: sizes, counts, dropout."""

from __future__ import annotations

import numbers


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _shown(value) -> str:
    """Write a value as users type it: ``(4, 2)``, not ``(np.int64(4), 2)``."""
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_shown(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' * (len(value) == 1)})"
        )
    if isinstance(value, numbers.Number) and hasattr(value, "item"):
        value = value.item()  # a numpy scalar
    return repr(value)


def _sizes(hidden_size, name: str, owner: str) -> tuple[int, ...]:
    """Return the layer sizes as ints; NumPy integers count as ints."""
    if _is_int(hidden_size):
        sizes = (hidden_size,)
    else:
        try:
            sizes = tuple(hidden_size)
        except TypeError:  # not a sequence
            sizes = ()
    if not sizes or any(not _is_int(h) or h < 1 for h in sizes):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a positive int or a "
            f"non-empty sequence of them, one per layer (e.g. (7, 3)). Got "
            f"{_shown(hidden_size)} instead."
        )
    return tuple(int(h) for h in sizes)


def _count(value, name: str, owner: str) -> int:
    """Return a size (``input_size``, ``n_outputs``) as an int >= 1, or raise."""
    if not _is_int(value) or value < 1:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int >= 1. Got "
            f"{_shown(value)} instead."
        )
    return int(value)


def _check_dropout(dropout: float, owner: str) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(
            f"The 'dropout' parameter of {owner} must be in [0, 1). Got "
            f"{_shown(dropout)} instead."
        )
