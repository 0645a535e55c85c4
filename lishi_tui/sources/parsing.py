"""Pure helpers the built-in source types share: numbers, headers, periods, JSON paths, text.

Everything here takes bytes, strings or decoded JSON and returns plain values or raises a
``ValueError`` subclass with a message an operator can act on; nothing does I/O.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lishi_tui.domain.model import ObservationStatus, Qualifier
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.period_spellings import join_year_period, parse_period
from lishi_tui.text import excerpt, strip_control

# re-exported for the source-type plugins and the table readers
__all__ = ["excerpt", "join_year_period", "parse_period", "strip_control"]

# -- encodings ------------------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class DecodeError(ValueError):
    """Bytes that are none of the encodings a source may use."""


def decode_text(content: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Decode ``content`` and say which encoding it was: UTF-8 (with or without BOM), UTF-16
    with a BOM, or GB18030.

    Chinese offices' Excel exports are GB18030 (a superset of GBK and GB2312); anything
    that is valid UTF-8 is taken as UTF-8 first, because GB18030 accepts almost any
    byte sequence and would otherwise win every time.
    """
    if encoding != "auto":
        try:
            return content.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc}") from exc
    if content.startswith(_UTF16_BOMS):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark.
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-16 BOM but is not UTF-16: {exc}") from exc
    if content.startswith(_UTF8_BOM):
        try:
            return content[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-8 BOM but is not UTF-8: {exc}") from exc
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"neither UTF-8 nor GB18030 (byte {exc.start}); set `encoding` to the file's encoding"
        ) from exc


# -- numbers --------------------------------------------------------------------------

# Spellings statistics tables use for "no figure": blank, dashes, ellipses, NA.
MISSING_MARKERS = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "–",
        "…",
        "……",
        "...",
        "..",
        ".",
        "x",
        "na",
        "n/a",
        "nan",
        "null",
        "none",
        "无",
        "空",
    }
)
# Eurostat's "no figure": ":" alone or with its flags (": c" confidential, ": z" not
# applicable, ": bu"), as its TSV and CSV downloads write it.
_EUROSTAT_NO_FIGURE = re.compile(r":\s*[a-z]{0,3}", re.IGNORECASE)
_SEPARATORS = re.compile(r"(?<=\d)[,\s\u00a0\u2009\u202f'](?=\d{3}(?:\D|$))")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Digits grouped by spaces or apostrophes ("1 234 567", "1'234"): a first group of one to
# three digits, then groups of three, one separator throughout. "1234 567" is not a
# grouping: it may be two figures run together, and is refused rather than read 1234567.
_SPACE_GROUPED = re.compile(
    r"[+-]?[1-9]\d{0,2}(?P<sep>[\s\u00a0\u2009\u202f'])\d{3}(?:(?P=sep)\d{3})*(?:\.\d*)?"
)
# A comma is read only as a thousands separator: between groups of exactly three digits,
# after a first group of one to three that does not start with 0 ("1,581", "12,345,678").
_COMMA_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_NUMERIC_WITH_COMMA = re.compile(r"[+-]?[\d.,\s\u00a0\u2009\u202f']*\d[\d.,\s\u00a0\u2009\u202f']*")
# Qualifier marks as Chinese reports write them; a leading "+" is a sign, not "at least".
_PREFIXES: tuple[tuple[str, Qualifier], ...] = (
    ("≥", Qualifier.AT_LEAST),
    (">=", Qualifier.AT_LEAST),
    ("不低于", Qualifier.AT_LEAST),
    ("不少于", Qualifier.AT_LEAST),
    ("超过", Qualifier.AT_LEAST),
    ("逾", Qualifier.AT_LEAST),
    ("≤", Qualifier.AT_MOST),
    ("<=", Qualifier.AT_MOST),
    ("不超过", Qualifier.AT_MOST),
    ("不高于", Qualifier.AT_MOST),
    ("≈", Qualifier.ABOUT),
    ("~", Qualifier.ABOUT),
    ("约", Qualifier.ABOUT),
    ("近", Qualifier.ABOUT),
)
_SUFFIXES: tuple[tuple[str, Qualifier], ...] = (
    ("+", Qualifier.AT_LEAST),
    ("以上", Qualifier.AT_LEAST),
    ("多", Qualifier.AT_LEAST),
    ("以下", Qualifier.AT_MOST),
    ("以内", Qualifier.AT_MOST),
    ("左右", Qualifier.ABOUT),
)


def _split_qualifier(text: str) -> tuple[str, Qualifier]:
    for mark, qualifier in _PREFIXES:
        if text.startswith(mark) and len(text) > len(mark):
            return text[len(mark) :].strip(), qualifier
    for mark, qualifier in _SUFFIXES:
        if text.endswith(mark) and len(text) > len(mark):
            return text[: -len(mark)].strip(), qualifier
    return text, Qualifier.EXACT


class NumberError(ValueError):
    """Text that should be a number and is not."""


@dataclass(frozen=True)
class Quantity:
    """A number as published: the value (None for a "no figure" marker) and how exact it is."""

    value: float | None
    qualifier: Qualifier = Qualifier.EXACT
    percent: bool = False
    status: ObservationStatus = ObservationStatus.NORMAL  # from a flag beside the number


# Flags written after a figure: Eurostat's letters ("12.3 p", "12.3 e", "0.4 b") and the
# Chinese marks for preliminary and estimated figures ("12.3（初步）", "12.3(预计)").
_FLAG = re.compile(
    r"^(?P<number>.*?\d)\s*(?:\((?P<paren>[^()]+)\)|\s(?P<letter>[bepfu]))$", re.IGNORECASE
)
_FLAGS: dict[str, ObservationStatus] = {
    "p": ObservationStatus.PROVISIONAL,
    "初步": ObservationStatus.PROVISIONAL,
    "初步数": ObservationStatus.PROVISIONAL,
    "初步核算数": ObservationStatus.PROVISIONAL,
    "快报": ObservationStatus.PROVISIONAL,
    "e": ObservationStatus.ESTIMATED,
    "f": ObservationStatus.ESTIMATED,
    "u": ObservationStatus.ESTIMATED,
    "预计": ObservationStatus.ESTIMATED,
    "估计": ObservationStatus.ESTIMATED,
    "b": ObservationStatus.BREAK,
}


def _split_flag(text: str) -> tuple[str, ObservationStatus]:
    m = _FLAG.match(text)
    if m:
        flag = (m["paren"] or m["letter"] or "").strip().lower()
        if flag in _FLAGS:
            return m["number"].strip(), _FLAGS[flag]
    return text, ObservationStatus.NORMAL


def parse_quantity(raw: object) -> Quantity:
    """Read ``1,234.5``, ``"51%"``, ``"18000+"``, ``"≥10"``, ``"约26"``, fullwidth digits, or ``-``.

    A flag after the figure sets ``status``: ``"12.3 p"`` / ``"12.3（初步）"`` provisional,
    ``"12.3 e"`` / ``"12.3(预计)"`` estimated, ``"0.4 b"`` a break in the series.

    ``"51%"`` reads as 51 (percentage points, as an indicator in % stores it). Blank and
    dash-like markers (and Eurostat's ``:``, ``: c``) give ``value=None``, never zero.
    ``"−2.3"`` (U+2212 MINUS SIGN) is -2.3.

    A comma is read only as a thousands separator between groups of exactly three digits
    (``"1,581"``, ``"12,345,678"``). Any other comma (``"3,1"``, ``"0,452"``, ``"1.234,5"``,
    ``"1 234,5"``) is a European decimal comma, which is not read: it raises
    ``NumberError`` instead of silently reading 31 or 1.2345.
    """
    if raw is None:
        return Quantity(None)
    if isinstance(raw, bool):
        raise NumberError(f"expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            return Quantity(None)
        return Quantity(value)
    if not isinstance(raw, str):
        raise NumberError(f"expected a number, got {excerpt(raw, 40)}")
    return _quantity_from_text(raw)


@lru_cache(maxsize=4096)
def _quantity_from_text(raw: str) -> Quantity:
    # Cached: a re-fetched series sends the same figures again (Quantity is frozen).
    text = unicodedata.normalize("NFKC", strip_control(raw)).strip()
    if text.lower() in MISSING_MARKERS or _EUROSTAT_NO_FIGURE.fullmatch(text):
        return Quantity(None)
    text, status = _split_flag(text)
    text, qualifier = _split_qualifier(text)
    percent = text.endswith("%")
    # U+2212 MINUS SIGN, which typeset tables use and NFKC leaves alone, is a minus.
    text = text.removesuffix("%").strip().replace("\u2212", "-")
    if "," in text:
        if _COMMA_GROUPED.fullmatch(text):
            text = text.replace(",", "")
        elif _NUMERIC_WITH_COMMA.fullmatch(text):
            raise NumberError(
                f"not a number: {excerpt(raw, 40)!r}: a comma is read only as a thousands "
                "separator between groups of three digits (1,581 or 12,345,678); decimal "
                "commas (3,1 or 1.234,5) are not read. Publish or export the figures with "
                "a decimal point"
            )
    compact = _SEPARATORS.sub("", text)
    if compact != text and not _SPACE_GROUPED.fullmatch(text):
        raise NumberError(
            f"not a number: {excerpt(raw, 40)!r}: digits grouped by spaces must come in "
            "groups of three after a first group of one to three (1 234 567)"
        )
    if not _NUMBER.fullmatch(compact):
        raise NumberError(f"not a number: {excerpt(raw, 40)!s}")
    return Quantity(float(compact), qualifier, percent, status)


def scale_exact(value: float, factor: float = 1.0, power_of_ten: int = 0) -> float:
    """``value × factor × 10^power_of_ten`` computed in decimal, as a person would.

    Figures arrive as decimal text; binary floating point turns ``5228.33 × 1000`` into
    ``5228329.999999999``. Each float is read back by its shortest spelling (``repr``),
    which is the spelling that was sent, so the product is the exact decimal one.
    """
    if factor == 1.0 and power_of_ten == 0:
        return value
    exact = Decimal(repr(value)) * Decimal(repr(factor))
    return float(exact.scaleb(power_of_ten))


def parse_number(raw: object) -> float | None:
    """The value of ``parse_quantity(raw)``: a float, or None for a "no figure" marker."""
    return parse_quantity(raw).value


# -- observation status ---------------------------------------------------------------

# SDMX code list CL_OBS_STATUS (also the letters World Bank replies carry in obs_status),
# folded onto the statuses a panel can show. A code not listed reads as normal; the
# source keeps the code itself in the reading's note.
OBS_STATUS_CODES: dict[str, ObservationStatus] = {
    "A": ObservationStatus.NORMAL,
    "B": ObservationStatus.BREAK,  # time series break
    "P": ObservationStatus.PROVISIONAL,
    "V": ObservationStatus.PROVISIONAL,  # unvalidated
    "E": ObservationStatus.ESTIMATED,
    "F": ObservationStatus.ESTIMATED,  # forecast
    "I": ObservationStatus.ESTIMATED,  # imputed
    "U": ObservationStatus.ESTIMATED,  # low reliability
    "M": ObservationStatus.MISSING,  # data cannot exist
    "L": ObservationStatus.MISSING,  # data exist but were not collected
    "O": ObservationStatus.MISSING,
    "Q": ObservationStatus.MISSING,  # suppressed (confidential)
    "H": ObservationStatus.MISSING,  # holiday or weekend
}


def status_from_code(code: object) -> ObservationStatus:
    """The status an SDMX-style status letter stands for (blank or unknown: normal)."""
    return OBS_STATUS_CODES.get(str(code or "").strip().upper(), ObservationStatus.NORMAL)


# -- headers and units ----------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*[(（\[【](?P<unit>[^()（）\[\]【】]*)[)）\]】]\s*$")


def split_unit(header: str) -> tuple[str, str]:
    """``"社会消费品零售总额(亿元)"`` → ``("社会消费品零售总额", "亿元")``; no unit → ``(name, "")``.

    Fullwidth brackets and stray spaces are normalised so headers typed in Excel on a
    Chinese input method match the ASCII spelling in the config.
    """
    text = normalise_header(header)
    m = _UNIT_SUFFIX.match(text)
    if m and m["name"]:
        return m["name"].strip(), m["unit"].strip()
    return text, ""


def normalise_header(header: str) -> str:
    """A header as compared: no BOM or control characters, NFKC (fullwidth → ASCII), trimmed."""
    return " ".join(unicodedata.normalize("NFKC", strip_control(header)).split())


def find_column(headers: Sequence[str], wanted: str | int) -> int:
    """The index of column ``wanted``: a 0-based index, an exact header, or the header sans unit.

    Raises ``LookupError`` naming the headers there are.
    """
    if isinstance(wanted, int):
        if 0 <= wanted < len(headers):
            return wanted
        raise LookupError(
            f"column index {wanted} is out of range: there are {len(headers)} "
            f"columns (0-{len(headers) - 1})"
        )
    target = normalise_header(wanted)
    normalised = [normalise_header(h) for h in headers]
    if target in normalised:
        return normalised.index(target)
    bare = [split_unit(h)[0] for h in headers]
    target_bare = split_unit(wanted)[0]
    if bare.count(target_bare) == 1:
        return bare.index(target_bare)
    if bare.count(target_bare) > 1:
        raise LookupError(f"column {wanted!r} is ambiguous: several headers start with it")
    shown = ", ".join(repr(h) for h in normalised[:20])
    raise LookupError(f"no column {wanted!r}; the headers are: {shown}")


# -- JSON paths -----------------------------------------------------------------------

_STEP = re.compile(r"\[(-?\d+)\]|([^.\[\]]+)")


class PathError(LookupError):
    """A dotted path that does not lead anywhere in a JSON document."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"path {path!r} did not match: {message}")
        self.path = path


def split_path(path: str) -> list[str | int]:
    """``"data.items[0].value"`` or ``"1.0.value"`` → ``["data", "items", 0, "value"]``.

    A bare integer step indexes a list (``"1"`` is the record list of a World Bank reply)
    and is a key when the node is an object.
    """
    return list(_steps(path))


@lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[str | int, ...]:
    # Cached: a parser resolves the same few paths in every record of every fetch.
    steps: list[str | int] = []
    for part in path.split("."):
        if not part:
            continue
        pos = 0
        for m in _STEP.finditer(part):
            if m.start() != pos:
                break
            pos = m.end()
            if m[1] is not None:
                steps.append(int(m[1]))
            else:
                key = m[2]
                steps.append(int(key) if re.fullmatch(r"-?\d+", key) else key)
        if pos != len(part):
            raise PathError(
                path,
                f"cannot read step {part!r}; write keys separated by dots "
                "and list positions as [0]",
            )
    return tuple(steps)


def _describe(node: Any) -> str:
    if isinstance(node, Mapping):
        keys = list(node)
        shown = ", ".join(str(k) for k in keys[:12]) + (", …" if len(keys) > 12 else "")
        return f"an object with keys [{shown}]" if keys else "an empty object"
    if isinstance(node, list):
        return f"a list of {len(node)}"
    if node is None:
        return "null"
    return f"{type(node).__name__} {excerpt(node, 40)}"


def resolve_path(document: Any, path: str) -> Any:
    """The node at ``path`` (``""`` is the document itself); ``PathError`` says where it broke."""
    node = document
    steps = _steps(path)
    for i, step in enumerate(steps):
        # A JSON object is a dict: checked first, the ABC check costs more than the lookup.
        if type(node) is dict or isinstance(node, Mapping):
            key = str(step)
            if key in node:
                node = node[key]
                continue
            problem = f"no key {key!r}"
        elif isinstance(node, list) and isinstance(step, int):
            if -len(node) <= step < len(node):
                node = node[step]
                continue
            problem = f"no item [{step}]"
        else:
            problem = f"cannot take {step!r}"
        done = ".".join(f"[{s}]" if isinstance(s, int) else str(s) for s in steps[:i])
        raise PathError(path, f"{problem} at {done or 'the top level'}, which is {_describe(node)}")
    return node


class Repeated(list[Any]):
    """Every value of a key that one JSON object holds more than once, in document order.

    ``json.loads`` keeps only the last of them; ``load_json(..., repeated="keep")`` hands
    them all over in this list so the reader can merge them or refuse them.
    """


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice with different values."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _keep_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
        elif isinstance(out[key], Repeated):
            out[key].append(value)
        else:
            out[key] = Repeated([out[key], value])
    return out


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Called for every object of every body: built in C, and walked in Python only when a
    # key was repeated (fewer entries than pairs), to refuse two different values.
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen and seen[key] != value:
                raise DuplicateKeyError(key)
            seen[key] = value
    return out


def _line_of_second(text: str, key: str) -> int | None:
    """The line where ``"key":`` occurs for the second time, to point at a repeat."""
    hits = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
    return text.count("\n", 0, hits[1]) + 1 if len(hits) > 1 else None


def load_json(content: bytes, where: str, *, repeated: str = "refuse") -> Any:
    """Decode a JSON body or raise a ``FetchError`` showing where it broke and what came back.

    A key that one object holds twice is never dropped silently: with ``repeated="refuse"``
    (the default) two different values for one key are an error naming the key and line
    (identical repeats are harmless); with ``repeated="keep"`` the values come as a
    :class:`Repeated` list.
    """
    try:
        text, _ = decode_text(content)
    except DecodeError as exc:
        raise FetchError(f"response is not text: {exc}", where=where) from exc
    if not text.strip():
        raise FetchError("response body is empty", where=where)
    hook = _keep_pairs if repeated == "keep" else _strict_pairs
    try:
        return json.loads(text, object_pairs_hook=hook)
    except DuplicateKeyError as exc:
        line = _line_of_second(text, exc.key)
        at = f" (line {line})" if line else ""
        raise FetchError(
            f"key {exc.key!r} appears twice in one JSON object with different values{at}; "
            "reading either would silently drop the other",
            where=where,
        ) from None
    except json.JSONDecodeError as exc:
        # A document that stops before its closing bracket was truncated in transit.
        stripped = text.rstrip()
        truncated = exc.pos >= len(stripped) or (
            stripped.startswith(("{", "[")) and not stripped.endswith(("}", "]"))
        )
        cut = " (the body looks cut off)" if truncated else ""
        raise FetchError(
            f"response is not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{cut}; "
            f"got: {excerpt(text)}",
            where=where,
        ) from exc


def resolve_or_fail(document: Any, path: str, where: str) -> Any:
    """``resolve_path`` raising ``FetchError`` with the path and an excerpt of the document."""
    try:
        return resolve_path(document, path)
    except PathError as exc:
        raise FetchError(f"{exc}; got: {excerpt(document)}", where=where) from exc
