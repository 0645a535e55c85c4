"""The commented starter config that ``lishi-tui config init`` writes."""

from __future__ import annotations

from pathlib import Path

from lishi_tui.config.files import atomic_write_text

SCHEMA_NAME = "lishi.schema.json"

_HEADER = {
    "zh": """\
# lishi-tui 配置文件 / configuration
# 完整说明见 docs/config.md。检查本文件：lishi-tui config check <本文件路径>
# 时长写成字符串："250ms"、"30s"、"5m"、"1h"、"1d"。
# 相对路径以本文件所在文件夹为准。
""",
    "en": """\
# lishi-tui configuration
# Full reference: docs/config.md. Check this file with: lishi-tui config check <this file>
# Durations are strings: "250ms", "30s", "5m", "1h", "1d".
# Relative paths are relative to the folder of this file.
""",
}

_BODY = {
    "zh": """\

# [app] 界面 / how the dashboard looks
[app]
language = "zh"          # "zh" 中文 或 "en" English
demo = true              # 运行演示数据源；演示数据始终标记为“演示” / demo figures are always flagged

# [storage] 历史数据保存位置 / where history is kept
[storage]
backend = "sqlite"
path = "lishi.db"        # 相对本文件；删掉此行则使用用户数据目录 / omit: user data folder

# [indicators.<id>] 一个指标 / one indicator
# 插件已定义的指标可在这里覆盖字段；这里新定义的指标必须有 name_zh。
[indicators.demo_walk]
name_zh = "演示指标（随机游走）"
name_en = "Demo indicator (random walk)"
unit = "%"
decimals = 1
direction = "higher"     # "higher" 越高越好 / "lower" 越低越好
frequency = "daily"      # realtime, daily, monthly, quarterly, yearly
measure = "level"        # level, ytd, yoy, share, ratio
thresholds = { green = 60, amber = 40, mode = "absolute" }   # 绿/黄分界 / green and amber bounds

# [sources.<id>] 一个数据源 / one source: type 与 interval 必填 / required
# 可用的数据源类型见 `lishi-tui plugins` / registered types: `lishi-tui plugins`
[sources.demo]
type = "demo"            # 演示数据源：生成合成数据，绝不当作真实数字 / synthetic, never real
interval = "30s"         # 本次运行结束后多久开始下一次 / wait after each run
indicator = "demo_walk"  # 或 indicators = ["a", "b"]
seed = 0                 # 随机种子，相同种子得到相同序列 / same seed, same series
profile = "walk"         # 演示曲线形状 / shape of the demo series

# [pages.<id>] 仪表盘的一页，按文件顺序排列 / a dashboard tab, in file order
[pages.overview]
title_zh = "概览"
title_en = "Overview"

# [[pages.<id>.panels]] 页面上的面板 / a panel on the page
[[pages.overview.panels]]
kind = "stat"            # stat, chart, table, gauge
indicator = "demo_walk"
""",
    "en": """\

# [app]: how the dashboard looks
[app]
language = "en"          # "zh" (Chinese) or "en"
demo = true              # run demo sources; demo figures are always flagged as demo

# [storage]: where history is kept
[storage]
backend = "sqlite"
path = "lishi.db"        # relative to this file; remove the line to use the user data folder

# [indicators.<id>]: one indicator. Fields given here override a plugin's definition;
# an indicator no plugin defines needs name_zh.
[indicators.demo_walk]
name_zh = "演示指标（随机游走）"
name_en = "Demo indicator (random walk)"
unit = "%"
decimals = 1
direction = "higher"     # "higher" or "lower" is better
frequency = "daily"      # realtime, daily, monthly, quarterly, yearly
measure = "level"        # level, ytd, yoy, share, ratio
thresholds = { green = 60, amber = 40, mode = "absolute" }

# [sources.<id>]: one source; `type` and `interval` are required.
# Registered source types are listed by `lishi-tui plugins`.
[sources.demo]
type = "demo"            # synthetic figures, never shown as real ones
interval = "30s"         # the next run starts this long after the current one ends
indicator = "demo_walk"  # or indicators = ["a", "b"]
seed = 0                 # the same seed gives the same series
profile = "walk"         # shape of the demo series

# [pages.<id>]: a dashboard tab; tabs appear in file order.
[pages.overview]
title_zh = "概览"
title_en = "Overview"

# [[pages.<id>.panels]]: one panel on the page.
[[pages.overview.panels]]
kind = "stat"            # stat, chart, table, gauge
indicator = "demo_walk"
""",
}


def starter_text(lang: str = "zh") -> str:
    """The starter config, commented in Chinese with short English glosses, or in English."""
    if lang not in _HEADER:
        raise ValueError(f"no starter config in language {lang!r}; use 'zh' or 'en'")
    return _HEADER[lang] + _BODY[lang]


def write_starter(
    path: Path, *, force: bool = False, lang: str = "zh", schema: str | None = None
) -> None:
    """Write the starter config to ``path``; an existing file is replaced only with ``force``.

    With ``schema`` (the JSON Schema text), it is written beside the config as
    ``lishi.schema.json`` and the config's first line is a ``#:schema`` directive
    naming it, which taplo / Even Better TOML follow for completion and checks.
    """
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(
            f"{path} already exists; not overwriting it (use --force to replace it, "
            "the old copy is kept as .bak)"
        )
    text = starter_text(lang)
    if schema is not None:
        schema_path = path.with_name(SCHEMA_NAME)
        atomic_write_text(schema_path, schema, keep_backup=False)
        text = f"#:schema ./{SCHEMA_NAME}\n" + text
    atomic_write_text(path, text, keep_backup=True)
