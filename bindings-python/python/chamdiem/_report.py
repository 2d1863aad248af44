"""The report (``Pack.report``) and the impact of a change of rules
(``chamdiem.diff``): both computed by the core, the same as the command's
``chamdiem report`` and ``chamdiem diff``; this module only turns records
into the core's input and its answer into dicts, DataFrames and files."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

from . import _chamdiem, _tables

PathLike = Union[str, "os.PathLike[str]"]

_REPORT_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}
_DIFF_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".xlsx": "xlsx", ".csv": "csv"}


def _format_of(path: PathLike, formats: Dict[str, str]) -> str:
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension not in formats:
        raise ValueError(
            f"{os.fspath(path)}: không ghi được tệp đuôi '{extension}'; dùng "
            + ", ".join(sorted(formats))
        )
    return formats[extension]


def _write(path: PathLike, fmt: str, json_text: str, html: Any, xlsx: Any, csv: Any) -> None:
    content = {"json": json_text, "html": html, "xlsx": xlsx, "csv": csv}[fmt]
    if fmt == "xlsx":
        with open(path, "wb") as binary:
            binary.write(content)
    else:
        with open(path, "w", encoding="utf-8", newline="") as text:
            text.write(content)


def _pack(pack: Any) -> Any:
    from . import Pack, load_pack

    return pack if isinstance(pack, Pack) else load_pack(pack)


def report(
    self: Any,
    data: Any,
    period: Any,
    by: str = "unit",
    output: Optional[PathLike] = None,
    deadline: Optional[str] = None,
) -> Dict[str, Any]:
    """The compiled results of a period, as ``chamdiem report`` gives them.

    Returns the report as a dict (the command's ``--format json``): ``total``
    and ``groups`` (class counts and shares per unit, or per province with
    ``by="province"``), ``totals`` (mean, median, histogram), ``weakest``
    (criteria by points lost), ``gates``, ``unmet``, ``errors``,
    ``not_applicable``, ``ranking`` (for emulation awards), ``deadline`` (the
    due date from the pack's calendar) and ``submissions`` (when records
    carry a ``submitted`` date the pack declares), ``records``.
    With ``output``, also writes the report to that file: ``.xlsx``,
    ``.html`` (one self-contained page) or ``.json``.
    """
    formats = [_format_of(output, _REPORT_FORMATS)] if output is not None else []
    json_text, html, xlsx, _ = _chamdiem.report(
        self._native, _tables.records(data, self._field_names(), "report"), period, by, deadline, formats
    )
    if output is not None:
        _write(output, formats[0], json_text, html, xlsx, None)
    return json.loads(json_text)


class DiffResult:
    """What replacing one pack by another does to the same records.

    ``summary``, ``matrix`` and ``moved`` are pandas DataFrames; ``data`` is
    the command's ``chamdiem diff --format json`` as a dict."""

    __slots__ = ("data", "summary", "matrix", "moved")

    def __init__(self, data: Dict[str, Any]) -> None:
        try:
            import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        except ImportError as e:  # pragma: no cover - pandas is in the test requirements
            raise ImportError("chamdiem.diff returns pandas DataFrames: pip install pandas") from e
        self.data = data
        self.summary = pd.DataFrame(
            [
                {
                    "old_pack": data["old_pack"]["id"],
                    "new_pack": data["new_pack"]["id"],
                    "period": data["period"],
                    "records": data["records"],
                    "changed_class": data["changed_class"],
                    "changed_total": data["changed_total"],
                }
            ]
        )
        self.matrix = pd.DataFrame(
            data["matrix"],
            index=pd.Index([c["label"] for c in data["old_classes"]], name="Trước"),
            columns=pd.Index([c["label"] for c in data["new_classes"]], name="Sau"),
        )
        self.moved = pd.DataFrame(
            [
                {
                    "index": m["index"],
                    "id": m["id"],
                    "name": m["name"],
                    "unit": m["unit"],
                    "old_total": m["old_total"],
                    "new_total": m["new_total"],
                    "old_class": m["old_class"]["label"],
                    "new_class": m["new_class"]["label"],
                    "criteria": {c["id"]: (c["old"], c["new"]) for c in m["criteria"]},
                }
                for m in data["moved"]
            ],
            columns=[
                "index", "id", "name", "unit", "old_total", "new_total",
                "old_class", "new_class", "criteria",
            ],
        )

    def __repr__(self) -> str:
        return (
            f"<DiffResult {self.data['old_pack']['id']} → {self.data['new_pack']['id']}: "
            f"{self.data['changed_class']} of {self.data['records']} records change class>"
        )


def diff(
    data: Any,
    old: Any,
    new: Any,
    period: Any,
    output: Optional[PathLike] = None,
) -> DiffResult:
    """Scores the same records with the ``old`` and the ``new`` pack (a
    :class:`Pack` or a pack id / path) and compares, as ``chamdiem diff``:
    how many records change class, the transition matrix (old class × new
    class) and every record that moved, with the criteria whose points
    changed. With ``output``, also writes ``.csv``, ``.json``, ``.xlsx`` or
    ``.html``."""
    formats = [_format_of(output, _DIFF_FORMATS)] if output is not None else []
    old_pack, new_pack = _pack(old), _pack(new)
    fields = old_pack._field_names() | new_pack._field_names()
    json_text, html, xlsx, csv = _chamdiem.diff(
        old_pack._native, new_pack._native, _tables.records(data, fields, "diff"), period, formats
    )
    if output is not None:
        _write(output, formats[0], json_text, html, xlsx, csv)
    return DiffResult(json.loads(json_text))
