"""JSON for answers: numpy and torch values become plain numbers and lists."""
import json
import math
from typing import Any


def _default(o: Any) -> Any:
    tolist = getattr(o, "tolist", None)  # numpy arrays and scalars, torch tensors
    if callable(tolist):
        return tolist()
    item = getattr(o, "item", None)
    if callable(item):
        return item()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, (bytes, bytearray)):
        return o.decode("utf-8", "replace")
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


def _finite(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_finite(v) for v in o]
    return o


def dumps(value: Any) -> bytes:
    try:
        return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except ValueError:  # NaN / Infinity: JSON has none, answer null
        return json.dumps(_finite(json.loads(json.dumps(value, default=_default))), separators=(",", ":")).encode()
