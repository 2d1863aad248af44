"""The exceptions of chamdiem. Messages are in Vietnamese, codes are stable."""

from __future__ import annotations

from typing import Optional


class ChamdiemError(Exception):
    """Base of every chamdiem error; ``code`` is stable (``pack.syntax``, ``limit.operations``…)."""

    code: str

    def __init__(self, message: str, *, code: str = "error", file: Optional[str] = None,
                 line: Optional[int] = None, column: Optional[int] = None,
                 limit: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PackError(ChamdiemError):
    """A pack that does not load: ``file``, ``line`` and ``column`` say where."""

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]

    def __init__(self, message: str, *, code: str = "pack.invalid", file: Optional[str] = None,
                 line: Optional[int] = None, column: Optional[int] = None,
                 limit: Optional[str] = None) -> None:
        super().__init__(message, code=code)
        self.file = file
        self.line = line
        self.column = column


class LimitExceeded(PackError):
    """A pack's script went over a limit (``limit``: ``operations``, ``call_depth``…)."""

    limit: Optional[str]

    def __init__(self, message: str, *, code: str = "limit", file: Optional[str] = None,
                 line: Optional[int] = None, column: Optional[int] = None,
                 limit: Optional[str] = None) -> None:
        super().__init__(message, code=code, file=file, line=line, column=column)
        self.limit = limit


class InputError(ChamdiemError, ValueError):
    """Input that cannot be used at all (a bad period, unreadable data); also a ``ValueError``."""

    def __init__(self, message: str, *, code: str = "input", file: Optional[str] = None,
                 line: Optional[int] = None, column: Optional[int] = None,
                 limit: Optional[str] = None) -> None:
        super().__init__(message, code=code)


def _rebuild(cls: type, message: str, kwargs: dict) -> ChamdiemError:
    return cls(message, **kwargs)


def _reduce(self: ChamdiemError) -> tuple:
    # Keyword-only arguments do not survive the default pickling of exceptions,
    # and errors travel back from Dask and Spark workers.
    kwargs = {k: getattr(self, k) for k in ("code", "file", "line", "column", "limit")
              if hasattr(self, k)}
    return (_rebuild, (type(self), self.message, kwargs))


ChamdiemError.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
