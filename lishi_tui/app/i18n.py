"""Every string the dashboard shows, in Chinese and English, and how the language is chosen."""

from __future__ import annotations

from collections.abc import Mapping

ZH = "zh"
EN = "en"

# One table, so a translator reads every UI string in one place. Keys are stable ids;
# values may hold str.format fields.
STRINGS: dict[str, tuple[str, str]] = {
    # (zh, en)
    "app.title": ("离石发展指标", "Lishi development indicators"),
    "app.subtitle.live": ("实时", "live"),
    "app.subtitle.readonly": ("只读（独立采集进程）", "read-only (separate collector)"),
    "binding.quit": ("退出", "Quit"),
    "binding.help": ("帮助", "Help"),
    "binding.refresh": ("刷新", "Refresh"),
    "binding.palette": ("搜索", "Search"),
    "binding.detail": ("详情", "Detail"),
    "binding.back": ("返回", "Back"),
    "binding.plugins": ("插件与数据源", "Plugins & sources"),
    "binding.next_page": ("下一页", "Next page"),
    "binding.prev_page": ("上一页", "Previous page"),
    "binding.page_n": ("第 N 页", "Page N"),
    "binding.move": ("移动", "Move"),
    "help.title": ("键盘操作", "Keyboard"),
    "help.keys": ("按键", "Keys"),
    "help.action": ("作用", "Action"),
    "help.move": ("在面板之间移动（方向键或 h j k l）", "Move between panels (arrows or h j k l)"),
    "help.pages": (
        "Tab / Shift+Tab 切换页面，数字键直接跳到第 N 页",
        "Tab / Shift+Tab switch pages; number keys jump to page N",
    ),
    "help.detail": ("打开所选指标的详情", "Open the selected indicator's detail"),
    "help.back": ("返回上一屏", "Go back"),
    "help.palette": (
        "按中文、英文或拼音首字母查找指标",
        "Find an indicator by Chinese, English or pinyin initials",
    ),
    "help.refresh": ("立即刷新数据源", "Refresh the sources now"),
    "help.plugins": ("查看插件与数据源状态", "Show plugins and sources"),
    "help.help": ("显示本帮助", "Show this help"),
    "help.quit": ("退出", "Quit"),
    "help.legend": (
        "状态：绿/黄/红 = 达标/预警/未达标；⏱ 过期 = 数据超过更新周期；⚠ 数据源故障 = 最近一次采集失败；演示 = 合成数据，非真实数字",
        "Status: green/amber/red = on target/warning/off target; ⏱ stale = older than its "
        "frequency allows; ⚠ source failing = the last fetch failed; demo = synthetic, not a real figure",
    ),
    "help.close": ("按 Esc 或 ? 关闭", "Press Esc or ? to close"),
    "panel.demo": ("演示", "demo"),
    "panel.no_data": ("暂无数据", "no data"),
    "panel.stale": ("⏱ 已过期", "⏱ stale"),
    "panel.failing": ("⚠ 数据源故障", "⚠ source failing"),
    "panel.source": ("来源", "source"),
    "panel.age": ("更新于{age}", "updated {age}"),
    "panel.change": ("较上期 {delta}", "vs previous {delta}"),
    "panel.change_none": ("无上期数据", "no previous figure"),
    "panel.target": ("目标 {target}", "target {target}"),
    "panel.no_target": ("未设目标", "no target"),
    "panel.progress": ("完成 {pct}", "{pct} done"),
    "panel.rag.green": ("达标", "on target"),
    "panel.rag.amber": ("预警", "warning"),
    "panel.rag.red": ("未达标", "off target"),
    "panel.rag.none": ("", ""),
    "age.now": ("刚刚", "just now"),
    "age.minutes": ("{n} 分钟前", "{n} min ago"),
    "age.hours": ("{n} 小时前", "{n} h ago"),
    "age.days": ("{n} 天前", "{n} d ago"),
    "chart.actual": ("实际", "actual"),
    "chart.target": ("目标", "target"),
    "chart.path": ("按期路径", "on-track path"),
    "table.indicator": ("指标", "Indicator"),
    "table.value": ("数值", "Value"),
    "table.target": ("目标", "Target"),
    "table.progress": ("进度", "Progress"),
    "table.status": ("状态", "Status"),
    "table.period": ("时期", "Period"),
    "table.source": ("来源", "Source"),
    "detail.title": ("指标详情", "Indicator detail"),
    "detail.value": ("最新数值", "Latest value"),
    "detail.period": ("统计时期", "Period"),
    "detail.source": ("数据源", "Source"),
    "detail.origin": ("出处", "From"),
    "detail.fetched": ("采集时间", "Fetched at"),
    "detail.revision": ("修订", "Revision"),
    "detail.target": ("目标", "Target"),
    "detail.deadline": ("期限", "Deadline"),
    "detail.baseline": ("基期", "Baseline"),
    "detail.status": ("状态", "Status"),
    "detail.pace": (
        "需每月{verb} {pace}方能按期完成",
        "{pace} a month is needed to finish on time",
    ),
    "detail.pace.verb.higher": ("新增", ""),
    "detail.pace.verb.lower": ("减少", ""),
    "detail.pace.done": ("已达到目标", "The target is reached"),
    "detail.pace.past": ("期限已过", "The deadline has passed"),
    "detail.on_track": (
        "按当前进度可按期完成（比按期路径{gap}）",
        "On track ({gap} against the on-track path)",
    ),
    "detail.off_track": ("落后于按期路径 {gap}", "Behind the on-track path by {gap}"),
    "detail.no_projection": (
        "未设基期、目标或期限，无法推算进度",
        "No baseline, target or deadline: no projection",
    ),
    "detail.errors": ("数据源错误", "Source errors"),
    "detail.no_errors": ("最近采集无错误", "No errors in recent fetches"),
    "detail.history": ("历史与修订", "History and revisions"),
    "detail.qualifier": ("口径", "Qualifier"),
    "detail.note": ("备注", "Note"),
    "detail.demo_warning": (
        "演示数据：合成数字，并非真实统计",
        "Demo data: synthetic, not a real statistic",
    ),
    "detail.description": ("说明", "About"),
    "col.period": ("时期", "Period"),
    "col.value": ("数值", "Value"),
    "col.revision": ("修订", "Rev."),
    "col.source": ("来源", "Source"),
    "col.fetched": ("采集时间", "Fetched"),
    "col.status": ("标记", "Flag"),
    "col.demo": ("演示", "Demo"),
    "plugins.title": ("插件与数据源", "Plugins and sources"),
    "plugins.plugins": ("插件", "Plugins"),
    "plugins.sources": ("数据源", "Sources"),
    "col.name": ("名称", "Name"),
    "col.state": ("状态", "State"),
    "col.origin": ("位置", "Location"),
    "col.provides": ("提供", "Provides"),
    "col.error": ("错误", "Error"),
    "col.type": ("类型", "Type"),
    "col.last_success": ("最近成功", "Last success"),
    "col.last_error": ("最近错误", "Last error"),
    "col.latency": ("耗时", "Latency"),
    "col.next_run": ("下次运行", "Next run"),
    "col.failures": ("连续失败", "Failures"),
    "state.ok": ("正常", "ok"),
    "state.failing": ("故障", "failing"),
    "state.never": ("尚未运行", "never run"),
    "state.disabled": ("已停用", "disabled"),
    "notify.refresh": ("已请求刷新全部数据源", "Refresh of all sources requested"),
    "notify.readonly": (
        "只读模式：数据由独立采集进程刷新",
        "Read-only: a separate collector refreshes the data",
    ),
    "palette.open": ("打开 {name}", "Open {name}"),
    "palette.help": ("{page} · {id}", "{page} · {id}"),
    "qualifier.at_least": ("不低于", "at least"),
    "qualifier.at_most": ("不高于", "at most"),
    "qualifier.about": ("约", "about"),
    "qualifier.exact": ("精确", "exact"),
    "none": ("—", "—"),
}


def t(key: str, lang: str, **fields: object) -> str:
    """The string ``key`` in ``lang`` with ``fields`` filled in."""
    zh, en = STRINGS[key]
    text = en if lang == EN else zh
    return text.format(**fields) if fields else text


def resolve_language(configured: str, env: Mapping[str, str]) -> str:
    """English when the config says "en"; else English when the locale says so; else Chinese.

    The config's ``language`` defaults to "zh", so a config that does not mention it
    cannot be told from one that asks for Chinese: the locale (``LC_ALL``, then
    ``LC_MESSAGES``, then ``LANG``, the POSIX order) may then switch to English.
    ``LISHI_TUI_LANG`` ("zh" or "en") overrides both, for a user who cannot edit
    the shared config.
    """
    override = env.get("LISHI_TUI_LANG", "").strip().lower()
    if override in (ZH, EN):
        return override
    if configured == EN:
        return EN
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return EN if value.lower().startswith("en") else ZH
    return ZH
