"""The native half of chamdiem (Rust, pyo3). Use the names of ``chamdiem`` instead."""

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "NativePack",
    "built_in_packs",
    "diff",
    "report",
    "score_workbook",
    "sensitivity_json",
    "workbook_template",
]

def built_in_packs() -> List[Tuple[str, str, str]]:
    """The built-in packs: ``(id, title, version)`` each."""

def sensitivity_json(
    pack: NativePack,
    records: Any,
    period: Union[str, int],
    vary: float,
    samples: int,
    seed: int,
    knife_edge: float,
) -> Tuple[str, str, str]:
    """Analyses how stable each record's class is under ``pack``; returns the
    analysis, the records table and the criteria table, each as JSON text."""
def report(
    pack: "NativePack",
    records: Any,
    period: Union[str, int],
    by: Optional[str] = None,
    deadline: Optional[str] = None,
    formats: Sequence[str] = ...,
    progress: Optional[Callable[[int], Any]] = None,
) -> Tuple[str, Optional[str], Optional[bytes], Optional[str]]:
    """The report's JSON, and its HTML / XLSX when named in ``formats``."""

def diff(
    old: "NativePack",
    new: "NativePack",
    records: Any,
    period: Union[str, int],
    formats: Sequence[str] = ...,
    progress: Optional[Callable[[int], Any]] = None,
) -> Tuple[str, Optional[str], Optional[bytes], Optional[str]]:
    """The diff's JSON, and its HTML / XLSX / CSV when named in ``formats``."""

@final
class NativePack:
    """A loaded pack (native). Use ``chamdiem.Pack``, which wraps it."""

    @staticmethod
    def load(id_or_path: str) -> "NativePack":
        """Loads a built-in pack by id, or a pack folder / ``.rhai`` file by path."""
    @staticmethod
    def from_sources(sources: Dict[str, str], entry: str) -> "NativePack":
        """Loads a pack from in-memory sources: ``{file name: text}`` and the entry file."""
    @staticmethod
    def built_in_sources(id: str) -> Optional[Dict[str, str]]:
        """Every file of a built-in pack, by path relative to its folder."""
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    def score_line(self, record: Any, period: Union[str, int]) -> str:
        """Scores one record; returns the CLI's JSON line for it."""
    def explain(self, record: Any, period: Union[str, int]) -> str:
        """The readable Vietnamese breakdown of one record's result."""
    def score_lines(
        self,
        records: Any,
        period: Union[str, int],
        progress: Optional[Callable[[int], Any]] = None,
    ) -> List[str]:
        """Scores a sequence of records; returns their JSON lines, in order."""
    def score_dicts(
        self,
        records: Any,
        period: Union[str, int],
        progress: Optional[Callable[[int], Any]] = None,
    ) -> List[Dict[str, Any]]:
        """Scores a sequence of records; returns their results as dicts, each
        equal to ``json.loads`` of the CLI's JSON line, in order."""
    def score_arrow(
        self,
        stream: Any,
        period: Union[str, int],
        progress: Optional[Callable[[int], Any]] = None,
    ) -> Union[Tuple[List[str], List[Union[bytes, List[Any]]]], str]:
        """Scores the rows of an Arrow table given as a stream capsule; returns the
        result table's columns, or why a column cannot be read (a ``str``)."""
    def score_arrow_table(
        self,
        stream: Any,
        period: Union[str, int],
        progress: Optional[Callable[[int], Any]] = None,
    ) -> Union[Tuple[Any, List[str], List[Union[bytes, List[Any]]]], str]:
        """``score_arrow`` with the results as Arrow columns: ``(capsule, carried
        names, carried columns)``, the capsule an Arrow C stream of the result
        table without the carried fields; or why the table cannot be read."""
    def score_columns(
        self,
        names: Sequence[str],
        columns: Sequence[Any],
        rows: int,
        period: Union[str, int],
        progress: Optional[Callable[[int], Any]] = None,
    ) -> Tuple[List[str], List[Union[bytes, List[Any]]]]:
        """Scores the rows of a table given as columns; returns the result table's
        columns (a column of numbers as the bytes of little-endian doubles)."""
    def error_line(self, period: Union[str, int]) -> str:
        """The JSON line of a result with one record-level error."""
    def schema_json(self) -> str:
        """The declared input fields, as JSON text."""
    def info_json(self) -> str:
        """The pack's description, as JSON text."""
    def run_examples(self) -> List[Tuple[str, int, List[str]]]:
        """Runs the pack's own examples: ``(name, line, failures)`` for each."""

def workbook_template(pack: NativePack) -> bytes: ...
def score_workbook(
    pack: NativePack,
    workbook: Union[str, "os.PathLike[str]", bytes],
    period: Union[str, int],
    sheet: Optional[str] = None,
    progress: Optional[Callable[[int], Any]] = None,
) -> Tuple[str, List[Tuple[int, str]], List[str]]: ...
