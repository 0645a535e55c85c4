"""Write statistics_office_monthly.xlsx: a county statistics office's monthly report as offices lay it out.

Run ``python tests/data/payloads/make_xlsx.py`` (needs openpyxl) to regenerate the
committed workbook. Sheet 0 "主要指标" is the one-period report (a merged title, two
header rows with a merged period heading over 绝对量 | 同比增长(%), Chinese indicator
names, a two-line footnote); sheet 1 "社零月度" is a long monthly table whose newest
month is still blank (not yet published). The figures are made up for the test; the
layout is the one offices publish.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "statistics_office_monthly.xlsx"


def build() -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "主要指标"
    ws["A1"] = "离石区2021年1-10月主要经济指标"
    ws.merge_cells("A1:D1")
    ws["A2"] = "指标"
    ws.merge_cells("A2:A3")
    ws["B2"] = "单位"
    ws.merge_cells("B2:B3")
    ws["C2"] = "2021年1-10月"
    ws.merge_cells("C2:D2")
    ws["C3"] = "绝对量"
    ws["D3"] = "同比增长(%)"
    rows: list[tuple[str, str, object, object]] = [
        ("地区生产总值", "亿元", 112.35, 8.6),
        ("规模以上工业增加值", "亿元", "—", 10.1),
        ("社会消费品零售总额", "亿元", 38.74, 12.3),
        ("一般公共预算收入", "万元", "52,311", -2.5),
        ("城镇居民人均可支配收入", "元", 31245, "9.2"),
    ]
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    ws["A9"] = "注：1.地区生产总值为初步核算数。"
    ws.merge_cells("A9:D9")
    ws["A10"] = "\u3000\u30002.同比增长按可比价格计算。"

    monthly = wb.create_sheet("社零月度")
    monthly["A1"] = "离石区社会消费品零售总额（月度累计）"
    monthly.merge_cells("A1:C1")
    monthly.append(["月份", "累计(亿元)", "同比增长(%)"])
    figures = [3.51, 7.02, 10.96, 14.73, 18.80, 22.61, 26.55, 30.41, 34.47, 38.74]
    growth = [35.2, 30.1, 28.7, 20.3, 17.5, 15.9, 14.8, 13.6, 12.9, 12.3]
    for month, (value, pct) in enumerate(zip(figures, growth, strict=True), start=1):
        monthly.append([f"2021年1-{month}月", value, pct])
    monthly.append(["2021年1-11月", None, None])  # next month: not yet published
    monthly.append(["注：数据来源：离石区统计局。"])
    # A month heading typed as a date and shown as "2021年10月", as Excel does.
    dated = wb.create_sheet("日期格式")
    dated.append(["月份", "值"])
    dated.append([datetime(2021, 9, 1), 1.5])
    dated.append([datetime(2021, 10, 1), 2.5])
    for (cell,) in dated.iter_rows(min_row=2, max_col=1):
        cell.number_format = 'yyyy"年"m"月"'
    return wb


if __name__ == "__main__":
    workbook = build()
    workbook.properties.creator = "lishi-tui tests"
    workbook.properties.created = datetime(2021, 11, 15, 9, 0, 0)
    workbook.properties.modified = datetime(2021, 11, 15, 9, 0, 0)
    workbook.save(OUT)
    print(OUT)
