"""Records out of the tables people hand in: the one place that turns a list
of dicts or a pandas, polars or pyarrow table into what the core reads."""

from __future__ import annotations

import math
from typing import Any, Collection, Iterable, List, Mapping


def index_as_columns(frame: Any, fields: Collection[str]) -> Any:
    """A pandas DataFrame whose named index levels are pack fields (after
    ``df.set_index("id")``) with those levels as columns again, as pyarrow's
    ``Table.from_pandas`` keeps a named index: otherwise every row would lack
    them. Other index levels are left alone (a row number is no field)."""
    levels = [
        name
        for name in frame.index.names
        if isinstance(name, str) and name in fields and name not in frame.columns
    ]
    return frame.reset_index(level=levels) if levels else frame


def records(data: Any, fields: Collection[str], what: str) -> List[Mapping[str, Any]]:
    """A list of record dicts from a list of dicts or a pandas, polars or
    pyarrow table (a missing cell, NaN or NaT, is ``None``; a pandas index
    level named as a field is that field)."""
    root = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if root == "pandas" and name == "DataFrame":
        frame = index_as_columns(data, fields)
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    elif root == "polars" and name == "DataFrame":
        rows = data.to_dicts()
    elif root == "pyarrow" and name in ("Table", "RecordBatch"):
        rows = data.to_pylist()
    elif isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
        raise TypeError(
            f"{what} expects a list of dicts, a pandas DataFrame, a pyarrow Table or a "
            f"polars DataFrame, got {type(data).__name__}"
        )
    else:
        return list(data)
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in rows
    ]
