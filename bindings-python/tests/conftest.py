"""Shared helpers: the repository's files and the CLI's answers.

The tests run against the INSTALLED package (a wheel in a fresh virtual
environment, see scripts/test-all.sh), and compare it with the built CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

ROOT = Path(os.environ.get("CHAMDIEM_ROOT", Path(__file__).resolve().parents[2]))
CLI = Path(os.environ.get("CHAMDIEM_CLI", ROOT / "target" / "debug" / "chamdiem"))
ARTIFACTS = Path(os.environ.get("CHAMDIEM_ARTIFACTS", ROOT / "bindings-python" / "test-artifacts"))


def read_jsonl(path: Path) -> List[Any]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.lstrip().startswith("//")]


def run_cli(pack: str, period: str, records: List[Any], tmp: Path) -> List[Dict[str, Any]]:
    """The CLI's JSON line for every record (written as JSON Lines)."""
    if not CLI.exists():
        pytest.fail(f"the CLI is not built at {CLI}: cargo build -p chamdiem-cli")
    source = tmp / f"cli-input-{len(list(tmp.iterdir()))}.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    done = subprocess.run(
        [str(CLI), "score", "--pack", pack, "--period", period, str(source)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == len(records), (done.returncode, done.stderr)
    return lines


def pack_examples() -> Iterator[Tuple[str, str, List[Dict[str, Any]]]]:
    """Every built-in pack's examples, grouped by period: (pack id, period, examples)."""
    for folder in sorted((ROOT / "rules").iterdir()):
        examples = read_jsonl(folder / "examples.jsonl")
        by_period: Dict[str, List[Dict[str, Any]]] = {}
        for example in examples:
            by_period.setdefault(example["period"], []).append(example)
        for period, group in by_period.items():
            yield folder.name, period, group


@pytest.fixture(scope="session")
def cases() -> List[Dict[str, Any]]:
    """The shared input cases (300 enterprises, some broken)."""
    return read_jsonl(ROOT / "tests" / "cases" / "vn.enterprise-2024.input.jsonl")


@pytest.fixture(scope="session")
def cli_cases(cases: List[Dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> List[Dict[str, Any]]:
    """The CLI's results for the shared cases with vn.enterprise, 2024."""
    return run_cli("vn.enterprise", "2024", cases, tmp_path_factory.mktemp("cli"))
