"""The shared parsing helpers: numbers, headers, encodings, periods, JSON paths, control characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lishi_tui.domain.model import Qualifier
from lishi_tui.domain.periods import Period, PeriodError
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.parsing import (
    DecodeError,
    NumberError,
    PathError,
    decode_text,
    excerpt,
    find_column,
    load_json,
    parse_number,
    parse_period,
    parse_quantity,
    resolve_path,
    scale_exact,
    split_unit,
    strip_control,
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        ("51%", 51.0),
        ("５１％", 51.0),
        ("１，２３４", 1234.0),
        (" -2.3 ", -2.3),
        ("+5.2", 5.2),
        ("1 234", 1234.0),
        ("29.9E6", 29.9e6),
        (7, 7.0),
        (5.25, 5.25),
    ],
)
def test_numbers_as_published(raw: object, value: float) -> None:
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    "raw", ["", "-", "—", "…", "..", "NA", "n/a", "NaN", None, float("nan"), ":", ": c", ": bu"]
)
def test_no_figure_markers_are_none_never_zero(raw: object) -> None:
    assert parse_number(raw) is None


@pytest.mark.parametrize(
    ("raw", "value", "qualifier"),
    [
        ("18000+", 18000.0, Qualifier.AT_LEAST),
        ("≥10", 10.0, Qualifier.AT_LEAST),
        ("10%以上", 10.0, Qualifier.AT_LEAST),
        ("约26", 26.0, Qualifier.ABOUT),
        ("≤ 5", 5.0, Qualifier.AT_MOST),
        ("88.47", 88.47, Qualifier.EXACT),
    ],
)
def test_qualified_numbers(raw: str, value: float, qualifier: Qualifier) -> None:
    q = parse_quantity(raw)
    assert (q.value, q.qualifier) == (value, qualifier)


@pytest.mark.parametrize("raw", ["abc", "12abc", "1.2.3", True, [1], "12:30", "::"])
def test_not_numbers_raise(raw: object) -> None:
    with pytest.raises(NumberError):
        parse_number(raw)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == float(n)


def test_units_in_headers() -> None:
    assert split_unit("社会消费品零售总额(亿元)") == ("社会消费品零售总额", "亿元")
    assert split_unit("社会消费品零售总额（亿元）") == ("社会消费品零售总额", "亿元")
    assert split_unit("同比增长 (%)") == ("同比增长", "%")
    assert split_unit("月份") == ("月份", "")


def test_columns_by_name_bare_name_or_index() -> None:
    headers = ["月份", "社会消费品零售总额（亿元）", "同比增长(%)"]
    assert find_column(headers, "社会消费品零售总额(亿元)") == 1
    assert find_column(headers, "社会消费品零售总额") == 1
    assert find_column(headers, 2) == 2
    with pytest.raises(LookupError, match=r"no column '零售额'.*'月份'"):
        find_column(headers, "零售额")
    with pytest.raises(LookupError, match=r"out of range"):
        find_column(headers, 3)


def test_encodings_detected() -> None:
    text = "月份,社会消费品零售总额(亿元)\n"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")
    with pytest.raises(DecodeError, match=r"not UTF-8"):
        decode_text(b"\xef\xbb\xbf\xff\xfe")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2023", "2023"),
        ("2023Q1", "2023-Q1"),
        ("2023M01", "2023-01"),
        ("2023-M01", "2023-01"),
        ("2023-Q4", "2023-Q4"),
        ("2023A", "2023-Q1"),
        ("2023D", "2023-Q4"),
        ("202312", "2023-12"),
        ("2021年10月", "2021-10"),
        ("2021年10月份", "2021-10"),
        ("2021年1-10月", "2021-10"),
        ("2021年第三季度", "2021-Q3"),
        ("2024年一季度", "2024-Q1"),  # NBS releases and offices write quarters without 第
        ("2024年四季度", "2024-Q4"),
        ("2024年上半年", "2024-S1"),
        ("2024年下半年", "2024-S2"),
        (2021, "2021"),
    ],
)
def test_periods_from_every_source_spelling(text: object, key: str) -> None:
    assert parse_period(text).key == key


def test_bad_period_raises() -> None:
    with pytest.raises(PeriodError):
        parse_period("2023E")


def test_paths_with_list_indexes() -> None:
    doc = {"data": {"items": [{"v": 1}, {"v": 2}]}, "0": "key"}
    assert resolve_path(doc, "data.items[1].v") == 2
    assert resolve_path(doc, "data.items.0.v") == 1
    assert resolve_path([{"page": 1}, [{"v": 3}]], "1[0].v") == 3
    assert resolve_path(doc, "0") == "key"  # a digit step is a key in an object
    assert resolve_path(doc, "") is doc


def test_path_errors_say_where_they_broke() -> None:
    doc = {"data": {"rows": [], "total": 0}}
    with pytest.raises(PathError) as info:
        resolve_path(doc, "data.items[0]")
    message = str(info.value)
    assert "'data.items[0]' did not match" in message
    assert "no key 'items' at data" in message and "[rows, total]" in message
    with pytest.raises(PathError, match=r"no item \[3\] at data.rows, which is a list of 0"):
        resolve_path(doc, "data.rows[3]")
    with pytest.raises(PathError, match=r"cannot take 'x' at data.total, which is int"):
        resolve_path(doc, "data.total.x")


def test_control_characters_stripped() -> None:
    assert strip_control("a\x1b[31mb\u202ec\x00\n") == "abc"
    assert strip_control("a\nb", keep_newlines=True) == "a\nb"
    assert "\x1b" not in excerpt(b"\x1b]0;evil\x07 text")


def test_excerpt_is_short_and_single_line() -> None:
    shown = excerpt("x" * 500 + "\n", limit=50)
    assert len(shown) == 50 and shown.endswith("…")
    assert excerpt(b"") == "(empty)"


def test_load_json_errors_show_what_came_back() -> None:
    with pytest.raises(FetchError, match=r'looks cut off.*got: \[\{"page"') as info:
        load_json(b'[{"page":1,"pages":', "http://h/x")
    assert info.value.where == "http://h/x"
    with pytest.raises(FetchError, match=r"not valid JSON.*<html>"):
        load_json(b"<html>502 Bad Gateway</html>", "u")
    with pytest.raises(FetchError, match=r"empty"):
        load_json(b"  ", "u")


def test_period_parse_compatible_with_domain() -> None:
    assert parse_period("2021-10-31") == Period.parse("2021-10-31")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2020-S1", "2020-S1"),
        ("2020-W05", "2020-W05"),
        ("2020-B1", "2020-B1"),
        ("2020-D015", "2020-01-15"),  # day 15 of the year
        ("2020-D060", "2020-02-29"),  # 2020 is a leap year: day 60 is 29 February
        ("2020-D366", "2020-12-31"),
        ("2020-01-01/P1M", "2020-01"),
        ("2020-04-01/P3M", "2020-Q2"),
        ("2020-07-01/P6M", "2020-S2"),
        ("2020-01-01/P1Y", "2020"),
        ("2020-01-27/P1W", "2020-W05"),
        ("2020-01-27/P7D", "2020-W05"),
        ("2020-03-05/P1D", "2020-03-05"),
        ("2020-01-01T00:00:00/P1D", "2020-01-01"),
    ],
)
def test_sdmx_periods_and_intervals(text: str, key: str) -> None:
    assert parse_period(text).key == key


@pytest.mark.parametrize(
    "text",
    [
        "2019-D366",
        "2020-D000",
        "2020-01-15/P1M",
        "2020-02-01/P3M",
        "2020-01-01/P5M",
        "2020-01-28/P1W",
        "2020-01-01T12:00:00/P1D",
    ],
)
def test_intervals_that_are_not_one_period_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="not a period"):
        parse_period(text)


def test_scale_exact_is_decimal_arithmetic() -> None:
    assert 522.296 * 1000 != 522296.0  # what binary floating point gives
    assert scale_exact(522.296, power_of_ten=3) == 522296.0
    assert scale_exact(5228.33, power_of_ten=3) == 5228330.0
    assert scale_exact(433.638, power_of_ten=3) == 433638.0
    assert scale_exact(123456.7, 0.0001) == 12.34567
    assert scale_exact(29012345.6700001, power_of_ten=-2) == 290123.456700001
    assert scale_exact(7.0) == 7.0


def test_utf16_with_bom_is_text() -> None:
    text = "月份\t社会消费品零售总额\r\n2021年1月\t12.5\r\n"
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")  # BOM + little endian
    assert decode_text(b"\xfe\xff" + text.encode("utf-16-be"))[0] == text


def test_json_duplicate_keys_never_vanish() -> None:
    assert load_json(b'{"a": 1, "a": 1}', "w") == {"a": 1}  # the same value twice is harmless
    with pytest.raises(FetchError, match=r"key 'a' appears twice .* \(line 2\)"):
        load_json(b'{"a": 1,\n "a": 2}', "w")
    with pytest.raises(FetchError, match=r"key 'a' appears twice"):  # a third, different
        load_json(b'{"a": 1, "b": 0, "a": 1, "a": 3}', "w")
    assert list(load_json(b'{"b": 1, "a": 2, "b": 1}', "w")) == ["b", "a"]
    kept = load_json(b'{"a": {"x": 1}, "a": {"y": 2}, "b": 3}', "w", repeated="keep")
    assert kept["a"] == [{"x": 1}, {"y": 2}] and kept["b"] == 3


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1 234 567.5", 1234567.5),
        ("-12 345", -12345.0),
        ("1\u00a0234", 1234.0),
        ("1'234'567", 1234567.0),
    ],
)
def test_digits_grouped_by_spaces(raw: str, value: float) -> None:
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["1234 567", "1 234 5678", "0 123", "1 234'567"])
def test_a_grouping_that_is_not_one_is_refused(raw: str) -> None:
    # "1234 567" was read as 1234567: two figures run together, or a mistyped one
    with pytest.raises(NumberError, match=r"not a number"):
        parse_number(raw)


@pytest.mark.parametrize("raw", ["3,1", "0,452", "1.234,5", "1 234,5", "1,2345", "1234,567"])
def test_decimal_commas_are_refused_not_read_as_thousands(raw: str) -> None:
    # Read before as 31, 452, 1.2345, 12345, 12345 and 1234567: every comma was dropped.
    with pytest.raises(NumberError, match=r"decimal commas .* are not read"):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,581", 1581.0), ("-1,234", -1234.0), ("12,345,678.25", 12345678.25)],
)
def test_commas_between_groups_of_three_are_thousands(raw: str, value: float) -> None:
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    ("raw", "value"), [("\u22122.3", -2.3), ("\u22121,234.5", -1234.5), ("\u221251%", -51.0)]
)
def test_unicode_minus_sign_is_a_minus(raw: str, value: float) -> None:
    assert parse_number(raw) == value
