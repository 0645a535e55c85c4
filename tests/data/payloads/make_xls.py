"""Write statistics_office_monthly.xls: the monthly report of make_xlsx.py in the old .xls format.

Offices still publish BIFF8 (.xls) workbooks, Excel 97-2003's format. Run
``python tests/data/payloads/make_xls.py`` with xlwt installed (``pip install xlwt``; a
tool for this script only, not a dependency of lishi-tui) to regenerate the committed
file. Sheet 0 "主要指标" has the layout of make_xlsx.py's first sheet (a merged title,
two header rows under a merged period heading, Chinese indicator names, a footnote and
its continuation); sheet 1 "社零月度" is a long monthly table with the months typed as
dates shown as yyyy"年"m"月" and the newest month blank; sheet 2 "增速" holds growth
rates with percent formats: B2 stores 0.452 shown ``0.0%`` (45.2%), B3 0.5 shown with
the built-in ``0%`` (50%), B4 0.0375 shown with the built-in ``0.00%`` (3.75%), and C2:C4
the same figures typed plainly (45.2, 50, 3.75). Figures are made up.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlwt  # type: ignore[import-not-found, import-untyped, unused-ignore]

HERE = Path(__file__).resolve().parent
OUT = HERE / "statistics_office_monthly.xls"


def build() -> xlwt.Workbook:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("主要指标")
    ws.write_merge(0, 0, 0, 3, "离石区2021年1-10月主要经济指标")
    ws.write_merge(1, 2, 0, 0, "指标")
    ws.write_merge(1, 2, 1, 1, "单位")
    ws.write_merge(1, 1, 2, 3, "2021年1-10月")
    ws.write(2, 2, "绝对量")
    ws.write(2, 3, "同比增长(%)")
    rows: list[tuple[str, str, object, object]] = [
        ("地区生产总值", "亿元", 112.35, 8.6),
        ("规模以上工业增加值", "亿元", "—", 10.1),
        ("社会消费品零售总额", "亿元", 38.74, 12.3),
        ("一般公共预算收入", "万元", "52,311", -2.5),
        ("城镇居民人均可支配收入", "元", 31245, "9.2"),
    ]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.write_merge(8, 8, 0, 3, "注：1.地区生产总值为初步核算数。")
    ws.write(9, 0, "\u3000\u30002.同比增长按可比价格计算。")

    monthly = wb.add_sheet("社零月度")
    month_style = xlwt.easyxf(num_format_str='yyyy"年"m"月"')
    monthly.write_merge(0, 0, 0, 2, "离石区社会消费品零售总额（月度）")
    for c, text in enumerate(["月份", "当月(亿元)", "同比增长(%)"]):
        monthly.write(1, c, text)
    figures = [(datetime(2021, 8, 1), 3.86, 11.2), (datetime(2021, 9, 1), 4.06, 10.4)]
    figures.append((datetime(2021, 10, 1), 4.27, 9.8))
    for r, (month, value, pct) in enumerate(figures, start=2):
        monthly.write(r, 0, month, month_style)
        monthly.write(r, 1, value)
        monthly.write(r, 2, pct)
    monthly.write(5, 0, datetime(2021, 11, 1), month_style)  # not yet published: blank
    monthly.write(6, 0, "注：数据来源：离石区统计局。")

    rates = wb.add_sheet("增速")
    for c, text in enumerate(["月份", "同比增长(%)", "环比增长(%)"]):
        rates.write(0, c, text)
    for r, (period, rate, code, plain) in enumerate(
        [("2024年1月", 0.452, "0.0%", 45.2), ("2024年2月", 0.5, "0%", 50)], start=1
    ):
        rates.write(r, 0, period)
        rates.write(r, 1, rate, xlwt.easyxf(num_format_str=code))
        rates.write(r, 2, plain)
    rates.write(3, 0, "2024年3月")
    rates.write(3, 1, 0.0375, xlwt.easyxf(num_format_str="0.00%"))
    rates.write(3, 2, 3.75)
    return wb


if __name__ == "__main__":
    build().save(str(OUT))
    print(OUT)
