"""Write excel_percent_cells.ods and excel_percent_cells.xls: percent-formatted cells as
LibreOffice saves them in OpenDocument and in Excel 97-2003 (BIFF8) workbooks.

Run ``python tests/data/payloads/make_excel_percent.py`` with openpyxl installed and
LibreOffice's ``soffice`` on the PATH (Debian: ``apt-get install libreoffice-calc-nogui``;
a tool for this script only, not a dependency of lishi-tui). The workbook is laid out
with openpyxl, then LibreOffice converts it, so both files are what an office suite
writes. Figures are made up.

Sheet 0 "增速" (long): A1 月份 | B1 同比增长(%) | C1 环比增长(%) | D1 上年同期(%). Column B,
header and period cells A2:A6 included, carries the format ``0.0%`` (B5 ``0%``, B6
``0.00%``): B2:B6 store 0.452, 0.038, -0.023, 0.5, 0.1234 and show 45.2%, 3.8%, -2.3%,
50%, 12.34%. C2:C6 hold the figures typed as plain numbers 45.2, 3.8, -2.3, 50, 12.34;
D2:D6 hold the text "12.5%" … typed as text.

Sheet 1 "宽表" (wide): A1:D1 a merged title; A2 指标 | 2024年1月 | 2024年2月 | 2024年3月;
row 3 城镇化率 0.6, 0.6, 0.6 (``0.0%``: three equal cells, which LibreOffice saves as
one repeated cell); row 4 失业率 0.051, 0.052, 0.05 (``0.0%``); row 5 人口(万人) 120, 121,
122 plain; row 6 合计占比 1, 1, 1 (``0%``, shown 100%); rows 7 and 8 blank (saved as one
repeated row); row 9 增加值增速 0.08, 0.081, 0.082 (``0.0%``); row 10 规上工业增速 with
B10:C10 merged over the percent 0.07 (``0.0%``, shown 7.0%) and D10 the plain 7.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell

HERE = Path(__file__).resolve().parent
NAME = "excel_percent_cells"


def _fmt(cell: Cell, code: str) -> None:
    cell.number_format = code


def build() -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "增速"
    ws.append(["月份", "同比增长(%)", "环比增长(%)", "上年同期(%)"])
    rows = [
        ("2024年1月", 0.452, 45.2, "12.5%", "0.0%"),
        ("2024年2月", 0.038, 3.8, "4.1%", "0.0%"),
        ("2024年3月", -0.023, -2.3, "-0.5%", "0.0%"),
        ("2024年4月", 0.5, 50, "48%", "0%"),
        ("2024年5月", 0.1234, 12.34, "11.25%", "0.00%"),
    ]
    for period, rate, plain, text, code in rows:
        ws.append([period, rate, plain, text])
        _fmt(ws.cell(row=ws.max_row, column=1), "0.0%")
        _fmt(ws.cell(row=ws.max_row, column=2), code)
    _fmt(ws.cell(row=1, column=2), "0.0%")

    wide = wb.create_sheet("宽表")
    wide.append(["2024年一季度主要比率"])
    wide.merge_cells("A1:D1")
    wide.append(["指标", "2024年1月", "2024年2月", "2024年3月"])
    table: list[tuple[str, tuple[float, ...], str | None]] = [
        ("城镇化率", (0.6, 0.6, 0.6), "0.0%"),
        ("失业率", (0.051, 0.052, 0.05), "0.0%"),
        ("人口(万人)", (120, 121, 122), None),
        ("合计占比", (1, 1, 1), "0%"),
        ("", (), None),
        ("", (), None),
        ("增加值增速", (0.08, 0.081, 0.082), "0.0%"),
    ]
    for label, figures, style in table:
        wide.append([label or None, *figures])
        if style:
            for column in (2, 3, 4):
                _fmt(wide.cell(row=wide.max_row, column=column), style)
    wide.append(["规上工业增速", 0.07, None, 7])
    _fmt(wide.cell(row=wide.max_row, column=2), "0.0%")
    wide.merge_cells(start_row=wide.max_row, start_column=2, end_row=wide.max_row, end_column=3)
    return wb


def convert(source: Path, to: str, out: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("needs LibreOffice's soffice on the PATH")
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as outdir:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                outdir,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.move(str(Path(outdir) / f"{source.stem}.{to.split(':')[0]}"), out)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{NAME}.xlsx"
        build().save(source)
        convert(source, "ods", HERE / f"{NAME}.ods")
        convert(source, "xls:MS Excel 97", HERE / f"{NAME}.xls")
    print(HERE / f"{NAME}.ods", HERE / f"{NAME}.xls")
