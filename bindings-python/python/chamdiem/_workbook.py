"""Excel in and out: a pack's input workbook (the template), and scoring the
rows of a ``.xlsx``/``.xls``/``.ods`` sheet. The reading and writing are the
core's, the same as ``chamdiem template`` and ``chamdiem score FILE.xlsx``."""

from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from . import _chamdiem

if TYPE_CHECKING:  # pragma: no cover
    from . import Pack, Period

#: The file name endings read as workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

Workbook = Union[str, "os.PathLike[str]", bytes]


def is_workbook(data: Any) -> bool:
    """Whether ``data`` is a path to a workbook, or a workbook's bytes."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data).lower().endswith(WORKBOOK_SUFFIXES)
    if isinstance(data, (bytes, bytearray, memoryview)):
        head = bytes(data[:4])
        return head in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    return False


def template(pack: "Pack", path: Optional[Union[str, "os.PathLike[str]"]] = None) -> bytes:
    """The pack's blank input workbook (``.xlsx``), as ``chamdiem template``
    writes it: Vietnamese labels over the field keys, one row per enterprise,
    drop-downs and checks from the declared fields, a notes sheet (``Ghi
    chú``) with every field and the pack's id and fingerprint. Written to
    ``path`` when given; the bytes are returned either way."""
    data = bytes(_chamdiem.workbook_template(pack._native))
    if path is not None:
        with open(path, "wb") as out:
            out.write(data)
    return data


def score_workbook(
    pack: "Pack",
    workbook: Workbook,
    period: "Period",
    sheet: Optional[str] = None,
    progress: bool = False,
) -> List[Dict[str, Any]]:
    """Scores every record of a workbook's sheet (by name, else the first):
    a list of results, each the command's JSON line for that row, with
    ``"source": {"file", "sheet", "row"}`` (``file`` is ``None`` for bytes).
    A row that cannot be read gets its ``error`` result; a workbook that
    cannot be read at all raises :class:`InputError`."""
    from . import _progress

    if isinstance(workbook, (bytearray, memoryview)):
        workbook = bytes(workbook)
    file = None if isinstance(workbook, bytes) else os.fspath(workbook)
    with _progress(progress, 0) as tick:
        sheet_read, rows, notes = _chamdiem.score_workbook(
            pack._native, workbook, period, sheet, tick
        )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=3)
    results = []
    for row, line in rows:
        result = json.loads(line)
        result["source"] = {"file": file, "sheet": sheet_read, "row": row}
        results.append(result)
    return results
