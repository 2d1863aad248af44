"""The type stubs match the installed module (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_stubs_match_the_module(tmp_path) -> None:
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "chamdiem", "--mypy-config-file", "/dev/null"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


def test_a_typed_user_program_checks(tmp_path) -> None:
    # A program that misuses the API is caught by mypy through py.typed.
    pytest.importorskip("mypy")
    program = tmp_path / "user.py"
    program.write_text(
        "import chamdiem\n"
        "pack = chamdiem.load_pack('vn.enterprise')\n"
        "r = pack.score({'id': '1'}, period='2024')\n"
        "total: float | None = r.total\n"
        "label: int = r.class_label\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-version", "3.10", str(program)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert done.returncode == 1, done.stdout
    assert 'user.py:5: error: Incompatible types in assignment' in done.stdout
    assert done.stdout.count("error:") == 1, done.stdout
