"""Score how employers carry out grassroots democracy at the workplace.

``chamdiem`` scores survey records of enterprises with a rule pack (the
national ``vn.enterprise`` pack, a province's pack, or one you write) and
classifies them (Tốt, Khá, Trung bình, Yếu). It is the Python face of the
``chamdiem`` command: a result's ``to_dict()`` is exactly the command's JSON
line for the same record.

>>> import chamdiem
>>> pack = chamdiem.load_pack("tay-ninh.enterprise")
>>> result = pack.score(record, period="2024")            # doctest: +SKIP
>>> table = pack.score_many(dataframe, period="2024")     # doctest: +SKIP

pandas, pyarrow and polars are optional: install the ones you use.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import warnings
from typing import Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _chamdiem, _sensitivity, _tables
from . import _workbook
from ._errors import ChamdiemError, InputError, LimitExceeded, PackError
from . import _report
from ._report import DiffResult, diff

__all__ = [
    "ChamdiemError",
    "DiffResult",
    "IgnoredColumnsWarning",
    "InputError",
    "LimitExceeded",
    "Pack",
    "PackError",
    "Result",
    "SlowPathWarning",
    "diff",
    "load_pack",
    "packs",
]

class IgnoredColumnsWarning(UserWarning):
    """Columns of a table that the pack does not declare, so not read (a
    misspelt column name shows up here, as on the command line)."""


class SlowPathWarning(UserWarning):
    """A table that could not cross as Arrow columns (no pyarrow for a pandas
    DataFrame, a column of mixed types, of dicts, of timestamps with a time
    zone, …): it is scored through the slower row-by-row path instead, with
    the same results. The message says why."""


#: A period: a year (``"2024"`` or ``2024``), a half or quarter
#: (``"2024-H1"``, ``"2024-Q3"``) or a range (``"2024-01-01..2024-06-30"``).
Period = Union[str, int]

_Recipe = Tuple[Any, ...]


def packs() -> List[Dict[str, str]]:
    """The packs built into this package: ``{"id", "title", "version"}`` each."""
    return [{"id": i, "title": t, "version": v} for i, t, v in _chamdiem.built_in_packs()]


def load_pack(id_or_path: Union[str, "os.PathLike[str]"]) -> "Pack":
    """Loads a built-in pack by id (``"vn.enterprise"``), or a pack folder or
    ``.rhai`` file by path. Raises :class:`PackError` naming file and line when
    the pack does not load."""
    if not isinstance(id_or_path, (str, os.PathLike)):
        raise TypeError(
            f"load_pack expects a pack id or a path, got {type(id_or_path).__name__}"
        )
    name = os.fspath(id_or_path)
    native = _chamdiem.NativePack.load(name)
    builtin = name in {p["id"] for p in packs()}
    recipe: _Recipe = ("id", name) if builtin else ("path", os.path.abspath(name))
    return Pack._wrap(native, recipe)


class Result:
    """The result of scoring one record.

    Attributes mirror the keys of the command's JSON line; ``class_`` is the
    class code (``class`` is a Python keyword). :meth:`to_dict` gives the line
    itself, as a dict.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    @property
    def id(self) -> Optional[str]:
        """The record's id, if it had one."""
        return self._data.get("id")

    @property
    def status(self) -> str:
        """``"scored"``, ``"not_applicable"`` or ``"error"``."""
        return self._data["status"]

    @property
    def total(self) -> Optional[float]:
        """The total points, rounded to 2 decimals (scored records only)."""
        return self._data.get("total")

    @property
    def class_(self) -> Optional[str]:
        """The class code: ``tot``, ``kha``, ``trung_binh`` or ``yeu``."""
        return self._data.get("class")

    @property
    def class_label(self) -> Optional[str]:
        """The class in Vietnamese: ``Tốt``, ``Khá``, ``Trung bình``, ``Yếu``."""
        return self._data.get("class_label")

    @property
    def criteria(self) -> Dict[str, float]:
        """Points of every criterion, by id (``{"2.4": 0.63, …}``)."""
        return dict(self._data.get("criteria") or {})

    @property
    def groups(self) -> Dict[str, float]:
        """Points of every group of criteria, by id."""
        return dict(self._data.get("groups") or {})

    @property
    def gates(self) -> List[str]:
        """Ids of the gates that capped the class."""
        return list(self._data.get("gates") or [])

    @property
    def reasons(self) -> Dict[str, str]:
        """The reason for every criterion's points, in Vietnamese."""
        return dict(self._data.get("reasons") or {})

    @property
    def errors(self) -> List[Dict[str, Any]]:
        """Every problem of the record (``field`` is ``None`` for the whole record)."""
        return [dict(e) for e in self._data.get("errors") or []]

    @property
    def period(self) -> Optional[str]:
        """The evaluation period the record was scored for."""
        return self._data.get("period")

    @property
    def pack(self) -> Dict[str, str]:
        """The pack's id, version and fingerprint."""
        return dict(self._data.get("pack") or {})

    def to_dict(self) -> Dict[str, Any]:
        """The result as the command's JSON line, parsed (a fresh copy)."""
        return json.loads(json.dumps(self._data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Result) and other._data == self._data

    def __repr__(self) -> str:
        return (
            f"Result(id={self.id!r}, status={self.status!r}, total={self.total!r}, "
            f"class_label={self.class_label!r})"
        )


class Pack:
    """A loaded rule pack. Immutable, thread-safe, picklable.

    Make one with :func:`load_pack` or :meth:`Pack.from_sources`.
    """

    __slots__ = ("_native", "_recipe")

    _native: Any
    _recipe: _Recipe

    def __init__(self) -> None:
        raise TypeError("use chamdiem.load_pack(...) or chamdiem.Pack.from_sources(...)")

    @classmethod
    def _wrap(cls, native: Any, recipe: _Recipe) -> "Pack":
        pack = object.__new__(cls)
        pack._native = native
        pack._recipe = recipe
        return pack

    @classmethod
    def from_sources(cls, sources: Mapping[str, str], entry: str = "pack.rhai") -> "Pack":
        """A pack held in memory: ``{"pack.rhai": text, "lib/util.rhai": text, …}``
        (paths relative to the pack's folder) and the entry file.

        The entry may ``extends`` a built-in pack (``extends("tay-ninh.enterprise")``)
        or one of the files, and ``import`` the others, exactly as in a folder on
        disk; an ``examples.jsonl`` among them is the pack's examples.
        """
        if not isinstance(sources, Mapping):
            raise TypeError(
                f"sources must be a dict of file name to text, got {type(sources).__name__}"
            )
        for name, text in sources.items():
            if not isinstance(name, str) or not isinstance(text, str):
                raise TypeError("sources must map file names (str) to source texts (str)")
        if not isinstance(entry, str):
            raise TypeError(f"entry must be a file name (str), got {type(entry).__name__}")
        copy = dict(sources)
        return cls._wrap(_chamdiem.NativePack.from_sources(copy, entry), ("sources", copy, entry))

    @staticmethod
    def built_in_sources(id: str) -> Dict[str, str]:
        """Every file of a built-in pack (``pack.rhai``, ``examples.jsonl``, …), by
        path relative to its folder: to read or edit it, then load the edited
        copy with :meth:`Pack.from_sources`."""
        if not isinstance(id, str):
            raise TypeError(f"id must be a built-in pack id (str), got {type(id).__name__}")
        sources = _chamdiem.NativePack.built_in_sources(id)
        if sources is None:
            known = ", ".join(p["id"] for p in packs())
            raise PackError(f"không có bộ quy tắc có sẵn '{id}' (có: {known})",
                            code="pack.not_found")
        return sources

    # -------------------------------------------------------------- identity

    @property
    def id(self) -> str:
        """The pack's id (``vn.enterprise``)."""
        return self._native.id

    @property
    def title(self) -> str:
        """Its title, in Vietnamese."""
        return self._native.title

    @property
    def version(self) -> str:
        """Its version."""
        return self._native.version

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the exact sources of the pack and all it extends."""
        return self._native.fingerprint

    def __repr__(self) -> str:
        return f"<chamdiem.Pack {self.id} {self.version} {self.fingerprint[:12]}>"

    def __reduce__(self) -> Tuple[Callable[..., "Pack"], Tuple[_Recipe, str]]:
        # A pack travels as the way to load it again and its fingerprint,
        # checked on arrival (a worker with other sources refuses it).
        return (_restore, (self._recipe, self.fingerprint))

    # --------------------------------------------------------------- scoring

    def score(self, record: Mapping[str, Any], period: Period) -> Result:
        """Scores one record (a dict of field name to value) for ``period``.

        A bad record gives a result with ``status == "error"`` and its
        ``errors``; it does not raise. Only a value that is not data (bytes,
        an object, a dict that holds itself) raises ``TypeError`` or
        ``ValueError``; in :meth:`score_many` it is that record's error.
        """
        return Result(json.loads(self._native.score_line(record, period)))

    report = _report.report

    def explain(self, record: Mapping[str, Any], period: Period) -> str:
        """The readable Vietnamese breakdown of one record's result (as ``chamdiem explain``)."""
        return self._native.explain(record, period)

    def score_many(self, data: Any, period: Period, progress: bool = False) -> Any:
        """Scores many records in parallel, on all cores, without holding the GIL.

        ``data`` is a list of dicts, a pandas DataFrame, a pyarrow Table or a
        polars DataFrame; the result is the same kind: a list of result dicts
        (each equal to the command's JSON line), or a table with one row per
        input row, in order (a DataFrame keeps its index; an index level named
        as a field, after ``set_index("id")``, is read as that field). Table columns are
        named as in the command's CSV output: ``id``, ``status``, ``total``,
        ``class``, ``class_label``, ``groups.<id>``, ``criteria.<id>``,
        ``gates``, ``reasons.<id>``, ``errors``, ``pack.*``. A missing value
        (``None``, ``NaN``, ``NaT``) in a table cell is ``null``, as an empty
        CSV cell. ``progress=True`` shows a tqdm progress bar. A path to a
        ``.xlsx``/``.xls``/``.ods`` file (or its bytes) is read as
        :meth:`score_workbook` reads it.

        Tables cross through the Arrow C stream interface (``__arrow_c_stream__``;
        a pandas DataFrame through pyarrow), their columns read in Rust without
        a Python object per cell; the results of a table come back the same
        way, as Arrow columns built in Rust (for polars and pandas, with
        pyarrow installed; pandas gets them through ``to_pandas``, its nested
        cells as Python lists). A table that cannot (see
        :class:`SlowPathWarning`) is scored row by row, with the same results.
        """
        if _workbook.is_workbook(data):
            return _workbook.score_workbook(self, data, period, progress=progress)
        kind = _table_kind(data)
        if kind is None:
            if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
                raise TypeError(
                    "score_many expects a list of dicts, a pandas DataFrame, a pyarrow "
                    f"Table or a polars DataFrame, got {type(data).__name__}"
                )
            records = list(data)
            with _progress(progress, len(records)) as tick, _no_gc():
                return self._native.score_dicts(records, period, tick)
        declared = self._field_names()
        # What is read; `data` keeps its index for the results.
        source = _tables.index_as_columns(data, declared) if kind == "pandas" else data
        names = _column_names(kind, source)
        ignored = [name for name in names if name not in declared]
        if ignored:
            warnings.warn(
                "các cột không có trong bộ quy tắc " + self.id + ", không được đọc: "
                + ", ".join(ignored),
                IgnoredColumnsWarning,
                stacklevel=2,
            )
        stream, why = _arrow_stream(kind, source)
        # A table gets its results as Arrow columns built in Rust, with no
        # Python object per cell: a pyarrow Table as they are, polars and
        # pandas converted from them (with pyarrow installed).
        pyarrow = _arrow_module()
        with _progress(progress, _row_count(kind, data)) as tick, _no_gc():
            scored: Any = why
            if stream is not None and pyarrow is not None:
                scored = self._native.score_arrow_table(stream, period, tick)
                if not isinstance(scored, str):
                    table = _arrow_result(pyarrow, *scored)
                    if kind == "arrow":
                        return table
                    if kind == "pandas":
                        return _pandas_from_arrow(table, data.index)
                    return _require("polars").from_arrow(table)
            elif stream is not None:
                # The columns cross as Arrow buffers, read in Rust (no object per cell).
                scored = self._native.score_arrow(stream, period, tick)
            if isinstance(scored, str):
                warnings.warn(
                    f"score_many: {scored}; scoring row by row instead (slower, same results)",
                    SlowPathWarning,
                    stacklevel=2,
                )
                names, columns, rows = _columns_of(kind, source)
                scored = self._native.score_columns(names, columns, rows, period, tick)
        out_names, out_columns = scored
        error_keys = list(json.loads(self._native.error_line(period))["errors"][0])
        with _no_gc():
            return _build_table(kind, data, out_names, out_columns, error_keys)

    def sensitivity(
        self, data: Any, period: Period, vary: float = 0.1, samples: int = 1000,
        seed: int = 0, knife_edge: float = 0.9, full: bool = False,
    ) -> Any:
        """How stable each record's class is: see :func:`chamdiem._sensitivity.sensitivity`."""
        return _sensitivity.sensitivity(self, data, period, vary, samples, seed, knife_edge, full)

    # ------------------------------------------------------------ describing

    def schema(self) -> List[Dict[str, Any]]:
        """The declared input fields: ``name``, ``type``, ``label`` (Vietnamese),
        ``required``, ``nullable``, ``min``, ``max``, ``values``, ``at_most``,
        ``description``."""
        return json.loads(self._native.schema_json())

    def _field_names(self) -> FrozenSet[str]:
        return frozenset(field["name"] for field in self.schema())

    def schema_frame(self) -> Any:
        """:meth:`schema` as a pandas DataFrame (needs pandas)."""
        pandas = _require("pandas")
        return pandas.DataFrame(self.schema())

    def info(self) -> Dict[str, Any]:
        """The pack's description, as ``chamdiem check --json`` prints it:
        fields, groups, criteria with points, bands with their conditions,
        gates, calendar, dates in force, sources, fingerprint and limits."""
        return json.loads(self._native.info_json())

    def test(self) -> List[Dict[str, Any]]:
        """Runs the pack's own examples (``examples.jsonl``); returns the
        failures, each ``{"name", "line", "failures"}`` (empty: all passed)."""
        return [
            {"name": name, "line": line, "failures": failures}
            for name, line, failures in self._native.run_examples()
            if failures
        ]

    # ------------------------------------------------------------ Excel (_workbook.py)

    def template(self, path: Optional[Union[str, "os.PathLike[str]"]] = None) -> bytes:
        """The pack's blank input workbook (``.xlsx`` bytes), written to ``path`` if given."""
        return _workbook.template(self, path)

    def score_workbook(
        self,
        workbook: Union[str, "os.PathLike[str]", bytes],
        period: Period,
        sheet: Optional[str] = None,
        progress: bool = False,
    ) -> List[Dict[str, Any]]:
        """Scores the rows of a ``.xlsx``/``.xls``/``.ods`` sheet (a path or bytes);
        each result with ``"source": {"file", "sheet", "row"}``."""
        return _workbook.score_workbook(self, workbook, period, sheet, progress)


def _restore(recipe: _Recipe, fingerprint: str) -> Pack:
    kind = recipe[0]
    if kind == "sources":
        pack = Pack.from_sources(recipe[1], recipe[2])
    else:
        pack = load_pack(recipe[1])
    if pack.fingerprint != fingerprint:
        raise PackError(
            f"bộ quy tắc {pack.id} ở nơi nhận khác với nơi gửi "
            f"(dấu vân tay {pack.fingerprint[:12]}… thay vì {fingerprint[:12]}…)",
            code="pack.fingerprint",
        )
    return pack


# ------------------------------------------------------------------ tables


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(f"this needs {module}: pip install {module}") from e


def _table_kind(data: Any) -> Optional[str]:
    root = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if root == "pandas" and name == "DataFrame":
        return "pandas"
    if root == "pyarrow" and name in ("Table", "RecordBatch"):
        return "arrow"
    if root == "polars" and name == "DataFrame":
        return "polars"
    return None


def _column_names(kind: str, data: Any) -> List[str]:
    if kind == "pandas":
        return [str(c) for c in data.columns]
    if kind == "arrow":
        return list(data.schema.names)
    return list(data.columns)


def _row_count(kind: str, data: Any) -> int:
    if kind == "pandas":
        return len(data.index)
    if kind == "arrow":
        return int(data.num_rows)
    return int(data.height)


def _arrow_stream(kind: str, data: Any) -> Tuple[Any, Optional[str]]:
    """The table as an Arrow C stream capsule, or why it cannot be one."""
    try:
        if kind == "pandas":
            try:
                import pyarrow  # type: ignore[import-untyped,unused-ignore]
            except ImportError:
                return None, "a pandas DataFrame crosses as Arrow columns only with pyarrow installed"
            try:
                table = pyarrow.Table.from_pandas(data, preserve_index=False)
            except (pyarrow.ArrowException, TypeError, ValueError) as e:
                return None, f"the DataFrame is not an Arrow table ({type(e).__name__}: {e})"
            return table.__arrow_c_stream__(), None
        if kind == "arrow" and not hasattr(data, "__arrow_c_stream__"):
            import pyarrow  # type: ignore[import-untyped,unused-ignore]

            data = pyarrow.Table.from_batches([data])
        if not hasattr(data, "__arrow_c_stream__"):
            return None, f"this {type(data).__module__} version has no Arrow C stream interface"
        return data.__arrow_c_stream__(), None
    except Exception as e:  # noqa: BLE001 - any failure to export means: the other path
        return None, f"the table does not export as Arrow ({type(e).__name__}: {e})"


def _columns_of(kind: str, data: Any) -> Tuple[List[str], List[List[Any]], int]:
    if kind == "pandas":
        names = [str(c) for c in data.columns]
        columns = [data.iloc[:, i].tolist() for i in range(data.shape[1])]
        return names, columns, len(data.index)
    if kind == "arrow":
        names = list(data.column_names)
        columns = [data.column(i).to_pylist() for i in range(data.num_columns)]
        return names, columns, data.num_rows
    names = list(data.columns)
    columns = [data.to_series(i).to_list() for i in range(data.width)]
    return names, columns, data.height


def _is_points(name: str) -> bool:
    return name == "total" or name.startswith(("groups.", "criteria."))


def _floats(column: Any) -> Any:
    """A column of points, as the native side sends it (the bytes of
    little-endian doubles, NaN for missing): a numpy array, or a list."""
    if not isinstance(column, bytes):
        return column
    try:
        import numpy
    except ImportError:  # pragma: no cover - polars can run without numpy
        import array
        import sys

        values = array.array("d", column)
        if sys.byteorder != "little":
            values.byteswap()
        return [None if v != v else v for v in values]
    return numpy.frombuffer(column, dtype="<f8").copy()  # writable, owned by the table


def _is_text(name: str) -> bool:
    return name in ("id", "period", "status", "class", "class_label") or name.startswith(
        ("reasons.", "pack.")
    )


def _arrow_module() -> Any:
    """pyarrow, or None when it is not installed."""
    try:
        import pyarrow  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    return pyarrow


class _ArrowStream:
    """An Arrow C stream capsule as the Arrow PyCapsule interface hands it out."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._capsule


def _arrow_result(pyarrow: Any, capsule: Any, carried_names: List[str],
                  carried_columns: List[Any]) -> Any:
    """The result table from the native side's Arrow stream (every column
    but the carried fields) and the carried fields' columns, which go right
    after ``id`` and are typed by their values, as in :func:`_arrow_table`."""
    table = pyarrow.table(_ArrowStream(capsule))
    carried = _arrow_table(pyarrow, carried_names, [_floats(c) for c in carried_columns], [])
    for i, name in enumerate(carried_names):
        table = table.add_column(1 + i, name, carried.column(i))
    return table


def _pandas_from_arrow(table: Any, index: Any) -> Any:
    """The result table as pandas gets it from Python lists (the same frame,
    dtype for dtype): ``to_pandas`` for the flat columns (text stays
    Arrow-backed under pandas 3's string dtype), Python lists for the nested
    ones (``gates``, ``unmet``, ``errors``, a carried list), whose cells
    ``to_pandas`` would make NumPy arrays."""
    import pyarrow  # type: ignore[import-untyped,unused-ignore]

    frame = table.to_pandas()
    for name, kind in zip(table.column_names, table.schema.types):
        if pyarrow.types.is_nested(kind):
            frame[name] = table.column(name).to_pylist()
    frame.index = index
    return frame


def _arrow_table(pyarrow: Any, names: List[str], columns: List[Any], error_keys: List[str]) -> Any:
    """The result columns as a pyarrow Table, each column typed once (no
    second pass to infer what is known)."""
    text = pyarrow.string()
    arrays = []
    for name, column in zip(names, columns):
        if _is_points(name) or not isinstance(column, list):
            arrays.append(pyarrow.array(column, type=pyarrow.float64(), from_pandas=True))
            continue
        if _is_text(name):
            kind: Any = text
        elif name == "gates":
            kind = pyarrow.list_(text)
        elif name == "unmet":
            kind = pyarrow.list_(pyarrow.struct([("band", text), ("reason", text)]))
        elif name == "errors":
            kind = pyarrow.list_(pyarrow.struct([(k, text) for k in error_keys]))
        else:
            # A carried field: its values' own type (all missing: text).
            inferred = pyarrow.array(column)
            arrays.append(inferred.cast(text) if pyarrow.types.is_null(inferred.type) else inferred)
            continue
        arrays.append(pyarrow.array(column, type=kind))
    return pyarrow.Table.from_arrays(arrays, names=names)


def _build_table(kind: str, data: Any, names: List[str], columns: List[Any],
                 error_keys: List[str]) -> Any:
    columns = [_floats(c) for c in columns]
    if kind == "pandas":
        pandas = _require("pandas")
        frame = pandas.DataFrame(dict(zip(names, columns)), index=data.index)
        for name in names:
            if _is_points(name) and frame[name].dtype != "float64":
                frame[name] = frame[name].astype("float64")
        return frame
    if kind == "polars":
        polars = _require("polars")
        try:
            import pyarrow  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            pass
        else:
            frame = polars.from_arrow(_arrow_table(pyarrow, names, columns, error_keys))
            assert isinstance(frame, polars.DataFrame)
            return frame
        series = []
        for name, column in zip(names, columns):
            if _is_points(name) or not isinstance(column, list):
                values = column if not isinstance(column, list) else \
                    [float("nan") if v is None else v for v in column]
                series.append(polars.Series(name, values, dtype=polars.Float64,
                                            nan_to_null=True))
            elif name == "gates":
                series.append(polars.Series(name, column, dtype=polars.List(polars.String)))
            elif name == "errors":
                struct = polars.Struct([polars.Field(k, polars.String) for k in error_keys])
                series.append(polars.Series(name, column, dtype=polars.List(struct)))
            elif all(v is None or isinstance(v, str) for v in column):
                series.append(polars.Series(name, column, dtype=polars.String))
            else:
                series.append(polars.Series(name, column))
        return polars.DataFrame(series)
    return _arrow_table(_require("pyarrow"), names, columns, error_keys)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Python's cycle collector paused while results are built: they are
    hundreds of thousands of new lists and dicts (no cycles), and the
    collector would otherwise walk them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _progress:
    """A tqdm bar (``enabled``) or nothing; yields the callback the native side calls."""

    def __init__(self, enabled: bool, total: int) -> None:
        if not isinstance(enabled, bool):
            raise TypeError(f"progress must be True or False, got {type(enabled).__name__}")
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]

            self._bar = tqdm(total=total, unit=" bản ghi", desc="Chấm điểm")

    def __enter__(self) -> Optional[Callable[[int], Any]]:
        return None if self._bar is None else self._bar.update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

