"""Excel readers compared for the `excel` source type: import time, read time, what they get right.

Run with a Python that has openpyxl and python-calamine installed (``pip install
'.[excel]' openpyxl``). Prints one row per reader: the median import time in a fresh
interpreter, the median time to read every cell of the committed statistics-office
workbook and of a generated 20,000-row sheet, and whether merged ranges and a month
heading stored as a date come through.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "tests" / "data" / "payloads" / "statistics_office_monthly.xlsx"
RUNS = 7


def import_ms(module: str) -> float:
    times = []
    for _ in range(RUNS):
        code = (
            f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout) * 1000)
    return statistics.median(times)


def read_openpyxl(path: Path) -> tuple[int, int, Any]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)  # merged ranges need the full mode
    cells = merged = 0
    dated = None
    for ws in wb.worksheets:
        merged += len(ws.merged_cells.ranges)
        for row in ws.iter_rows():
            for cell in row:
                cells += 1
                if isinstance(cell.value, datetime) and dated is None:
                    dated = (cell.value, cell.number_format)
    return cells, merged, dated


def read_calamine(path: Path) -> tuple[int, int, Any]:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = merged = 0
    dated = None
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        merged += len(sheet.merged_cell_ranges or [])
        for row in sheet.to_python(skip_empty_area=False):
            for value in row:
                cells += 1
                if isinstance(value, date) and dated is None:
                    dated = (value, "(no number format)")
    return cells, merged, dated


def big_workbook(folder: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["月份", "指标", "值", "同比增长(%)"])
    for i in range(20_000):
        ws.append([f"{2000 + i // 12 % 25}年{i % 12 + 1}月", f"指标{i % 40}", i * 1.25, 3.5])
    path = folder / "big.xlsx"
    wb.save(path)
    return path


def timed(fn: Any, path: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(path)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = big_workbook(Path(tmp))
        print("| reader | import | report workbook | 20,000 rows | merged ranges | date heading |")
        print("|---|---|---|---|---|---|")
        for name, module, fn in (
            ("openpyxl", "openpyxl", read_openpyxl),
            ("python-calamine", "python_calamine", read_calamine),
        ):
            _cells, merged, dated = fn(WORKBOOK)
            print(
                f"| {name} | {import_ms(module):.0f} ms | {timed(fn, WORKBOOK):.1f} ms "
                f"| {timed(fn, big):.0f} ms | {merged} | {dated} |"
            )


if __name__ == "__main__":
    main()
