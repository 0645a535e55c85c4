"""Write excel_cell_formats.xlsx: cells whose number format changes what a figure means.

Run ``python tests/data/payloads/make_xlsx_formats.py`` (needs openpyxl) to regenerate
the committed workbook. Sheet 0 "增速" holds growth rates typed as percentages: B2:B4
store 0.452, 0.038, -0.023 with the number format ``0.0%`` (Excel shows 45.2%, 3.8%,
-2.3%), B5 stores 0.5 with the built-in format ``0%`` (shows 50%), and C2:C4 hold the
same figures typed as plain numbers 45.2, 3.8, -2.3. Sheet 1 "月度" has months typed as
numbers 2024.10, 2024.11, 2024.12 (stored 2024.1, 2024.11, 2024.12, shown with ``0.00``).
Figures are made up.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "excel_cell_formats.xlsx"


def build() -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "增速"
    ws.append(["月份", "同比增长(%)", "环比增长(%)"])
    for period, rate, plain in [
        ("2024年1月", 0.452, 45.2),
        ("2024年2月", 0.038, 3.8),
        ("2024年3月", -0.023, -2.3),
    ]:
        ws.append([period, rate, plain])
        ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
    ws.append(["2024年4月", 0.5, 50])
    ws.cell(row=ws.max_row, column=2).number_format = "0%"
    months = wb.create_sheet("月度")
    months.append(["月份", "用电量(亿千瓦时)"])
    for month, value in [(10, 80.1), (11, 82.2), (12, 90.3)]:
        months.append([float(f"2024.{month:02d}"), value])
        months.cell(row=months.max_row, column=1).number_format = "0.00"
    return wb


if __name__ == "__main__":
    build().save(OUT)
