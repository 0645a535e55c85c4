"""Mutated configs, generated from the bundled one: ``config check`` never raises, and
whatever it accepts, ``show`` and ``fetch --once`` run without a traceback.

The bundled config's sources are offline (published files and demo series), so every
accepted mutant is fetched for real without leaving the machine.
"""

from __future__ import annotations

import copy
import io
import random
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from lishi_tui.cli import main
from lishi_tui.config.locate import bundled_config_path

MUTANTS = 300
SEED = 14

HOSTILE: list[Any] = [
    10**11,
    -1,
    0,
    2**63,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    "999999999d",
    "1000000000d",
    "0s",
    "1ms",
    "-1s",
    "",
    "50% [/] done",
    "[link=http://x/]x[/link]",
    "[@click=app.quit]quit[/]",
    "%\x1b]0;PWN\x07",
    "\u202eevil",
    "a\u200bb\ufeff",
    "\x9b31m",
    "x" * 5000,
    True,
    [],
    {},
    [1, "a", {}],
    {"nested": {"deeper": [1, 2]}},
    date(9999, 12, 31),
    "9999-12-31",
]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def mutate(base: dict[str, Any], rng: random.Random) -> str:
    """One mutant's TOML text: a few leaves replaced, keys dropped or added."""
    data = copy.deepcopy(base)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(data))
        path = rng.choice(paths)
        parent = _parent(data, path)
        op = rng.random()
        if op < 0.7:
            parent[path[-1]] = copy.deepcopy(rng.choice(HOSTILE))
        elif op < 0.85 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "titel", "decimal", "unit"])] = rng.choice(HOSTILE[:20])
    text = tomli_w.dumps(data)
    if rng.random() < 0.05:  # nesting deeper than any parser's recursion
        depth = rng.choice([40, 3000])
        text = f"deep = {'[' * depth}{']' * depth}\n" + text
    if rng.random() < 0.03:
        depth = 3000
        text = f"deep = {'{ a = ' * depth}1{' }' * depth}\n" + text
    return text


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv), {"LISHI_TUI_LANG": "en"})
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    import tomllib

    base = tomllib.loads(bundled_config_path().read_text(encoding="utf-8"))
    base["app"]["demo"] = False  # offline and fast: published files only (mutants may flip it)
    rng = random.Random(SEED)
    folder = tmp_path_factory.mktemp("mutants")
    paths = []
    for n in range(MUTANTS):
        path = folder / f"m{n:03d}.toml"
        path.write_text(mutate(base, rng), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def plugins_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load each distinct [plugins] setting's plugins once: the mutants are about the rest."""
    import lishi_tui.bootstrap as bootstrap

    real = bootstrap.load_plugins  # type: ignore[attr-defined]
    cache: dict[Any, Any] = {}

    def load(settings: Any, **kw: Any) -> Any:
        key = (settings, tuple(sorted(kw.get("env", {}).items())))
        if key not in cache:
            cache[key] = real(settings, **kw)
        return cache[key]

    monkeypatch.setattr(bootstrap, "load_plugins", load)


@pytest.fixture
def parser_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build each command's parser once: argparse construction (and the gettext look-ups
    it makes for every option) was a third of this test, and a process builds it once."""
    import lishi_tui.cli as cli

    real = cli.build_parser
    built: dict[Any, Any] = {}

    def once(registry: Any = None, err: Any = None, *, only: Any = None) -> Any:
        if registry is not None:  # a plugin's command: not what the mutants exercise
            return real(registry, err, only=only)
        key = None if only is None else tuple(only)
        if key not in built:
            built[key] = real(None, err, only=only)
        return built[key]

    monkeypatch.setattr(cli, "build_parser", once)


@pytest.mark.usefixtures("plugins_loaded_once", "parser_built_once")
def test_mutated_configs_never_crash_check_show_or_fetch(
    mutants: list[Path], tmp_path: Path
) -> None:
    assert len(mutants) >= 300
    db = tmp_path / "fuzz.db"
    accepted = 0
    limit = sys.getrecursionlimit()
    for path in mutants:
        where = f"{path.name}:\n{path.read_text(encoding='utf-8')[:300]}"
        try:
            code, text = run("config", "check", str(path))
            assert code in (0, 1, 2), where
            if code != 0:
                assert "problem" in text or "error" in text.lower(), where
                continue
            accepted += 1
            for command in (("show",), ("show", "--json"), ("fetch", "--once")):
                code, text = run("--config", str(path), "--db", str(db), *command)
                assert code in (0, 1), f"{command}: {text[-500:]}\n{where}"
                assert "Traceback" not in text, where
        except Exception as exc:  # the point of the test: say which mutant broke what
            raise AssertionError(f"{type(exc).__name__}: {exc}\nin {where}") from exc
        assert sys.getrecursionlimit() == limit
    # Enough of them pass the check to exercise show and fetch, and enough fail it.
    assert 30 <= accepted <= MUTANTS - 30, accepted


MINIMAL = '[storage]\npath = "h.db"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[collector]\ntimeout = "1000000000d"\n', "collector.timeout: "),
        ('[collector]\nbreaker_cooldown = "999999999d"\n', "must be at most 30d"),
        ('[app]\nrefresh = "999999999d"\n', "must be at most 1h"),
        ("[indicators.gdp_growth]\ndecimals = 100000000000\n", "must be at most 10"),
        ('[indicators.gdp_growth]\nstale_after = "1000000000d"\n', "too long a duration"),
        ("[indicators.gdp_growth]\nmultiplier = inf\n", "must be a finite number"),
        ("deep = " + "[" * 3000 + "]" * 3000 + "\n", "nested more than 16 deep"),
        ("deep = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n", "nested more than 16 deep"),
    ],
)
def test_values_that_used_to_pass_check_and_crash_later_are_refused(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "c.toml"
    # A top-level key must come before the first table.
    path.write_text(toml + MINIMAL if toml.startswith("deep") else MINIMAL + toml)
    code, text = run("config", "check", str(path))
    assert code == 1, text
    assert message in text
