"""Makes `cong-doan-a.xlsx`: the vn.enterprise template (from `chamdiem
template`) filled with openpyxl as a person fills it, with the first 40
complete records of `examples/doanh-nghiep-2024.jsonl` (the same filling as
bindings-python/tests/test_workbook.py). The JavaScript tests score it and
compare with the CLI. Run from the repository root:
    python tests/workbooks/make.py   (needs openpyxl and a built chamdiem)
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings-python" / "tests"))
import openpyxl  # noqa: E402

here = Path(__file__).parent
template = here / "mau-cham-diem.xlsx"
subprocess.run(
    [str(ROOT / "target" / "debug" / "chamdiem"), "template", "--pack", "vn.enterprise", "-o", str(template)],
    check=True,
)
keys = [c.value for c in openpyxl.load_workbook(template)["Dữ liệu"][2]]
records = [json.loads(line) for line in (ROOT / "examples" / "doanh-nghiep-2024.jsonl").open(encoding="utf-8")]
records = [r for r in records if all(k in r for k in keys)][:40]

# The filling is the Python test's own (a person typing into the template).
source = (ROOT / "bindings-python" / "tests" / "test_workbook.py").read_text(encoding="utf-8")
start = source.index("def _date(")
end = source.index("def complete_records(")
namespace = {"openpyxl": openpyxl, "Any": object, "Dict": dict, "List": list, "Path": Path}
exec("import datetime\n" + source[start:end], namespace)
namespace["fill"](template, records, here / "cong-doan-a.xlsx")
template.unlink()
