"""``Pack.sensitivity``: how stable each record's class is when the pack's
weights and thresholds move a little (the analysis runs in the core)."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any, Dict, Tuple, Union

from . import _chamdiem, _tables

if TYPE_CHECKING:
    from . import Pack


def _frame(table: Dict[str, Any]) -> Any:
    try:
        pandas: Any = importlib.import_module("pandas")
    except ImportError as e:  # pragma: no cover - pandas is how results come back
        raise ImportError("sensitivity returns DataFrames: pip install pandas") from e
    return pandas.DataFrame(table["rows"], columns=table["keys"])


def sensitivity(
    pack: "Pack",
    data: Any,
    period: Any,
    vary: float = 0.1,
    samples: int = 1000,
    seed: int = 0,
    knife_edge: float = 0.9,
    full: bool = False,
) -> Union[Tuple[Any, Any], Tuple[Any, Any, Dict[str, Any]]]:
    """Perturbs every criterion's points and every band's minimum at random
    within ±``vary`` (``samples`` times, from ``seed``: the same seed, the
    same answer), rescoring every record; returns two pandas DataFrames:

    - per record (one row per input record, in order): ``row``, ``id``,
      ``name``, ``status``, ``total``, ``class``, ``class_label``,
      ``stability`` (the share of samples that keep its class),
      ``knife_edge`` (stability below ``knife_edge``), ``modal_class``,
      ``share.<class>`` for every class, ``failed``, ``failure``;
    - per criterion: ``id``, ``label``, ``points``, ``moved_up``,
      ``moved_down``, ``moved``: how many records change class when its
      points alone go up / down by ``vary`` (the others rescaled).

    ``full=True`` adds a third item: the whole analysis as a dict (the JSON
    the command writes with ``-o FILE.json``).
    """
    analysis, records, criteria = _chamdiem.sensitivity_json(
        pack._native, _tables.records(data, pack._field_names(), "sensitivity"), period, float(vary), int(samples), int(seed),
        float(knife_edge),
    )
    frames = (_frame(json.loads(records)), _frame(json.loads(criteria)))
    if full:
        return frames[0], frames[1], json.loads(analysis)
    return frames
