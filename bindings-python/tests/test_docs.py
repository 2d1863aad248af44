"""The README's Python blocks and the example notebook run as written."""

from __future__ import annotations

import base64
import os
import re

import pytest

from conftest import ARTIFACTS, ROOT


def python_section_blocks() -> list:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_python_blocks_run(monkeypatch, capsys) -> None:
    blocks = python_section_blocks()
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__readme__"}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "tay-ninh.enterprise" in out
    assert "pack.syntax pack.rhai 1" in out
    assert re.search(r"\d+ doanh nghiệp đổi xếp loại", out)


def test_the_notebook_runs_and_its_charts_are_kept() -> None:
    nbformat = pytest.importorskip("nbformat")
    preprocessors = pytest.importorskip("nbconvert.preprocessors")
    source = ROOT / "bindings-python" / "examples" / "tay-ninh-2024.ipynb"
    notebook = nbformat.read(source, as_version=4)
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), \
        "the notebook is kept without outputs"
    runner = preprocessors.ExecutePreprocessor(timeout=600, kernel_name="python3")
    runner.preprocess(notebook, {"metadata": {"path": str(source.parent)}})  # raises on any error
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, ARTIFACTS / "tay-ninh-2024.executed.ipynb")
    charts = []
    texts = []
    for i, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                path = ARTIFACTS / f"tay-ninh-2024-cell{i}.png"
                path.write_bytes(base64.b64decode(data["image/png"]))
                charts.append(path)
            texts.append(output.get("text", "") + data.get("text/plain", ""))
    assert charts and all(os.path.getsize(c) > 10_000 for c in charts)
    text = "\n".join(texts)
    assert "300 doanh nghiệp" in text
    assert re.search(r"\d+ doanh nghiệp đổi xếp loại", text)
    assert "Tổng điểm" in text  # one enterprise's breakdown
