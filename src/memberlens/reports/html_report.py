"""Write the member report: one self-contained HTML file that works offline.

Everything the page needs — the ECharts library, the CSS, the page script and the data —
is inlined, so the file can be mailed, put on a USB stick or opened on a machine with no
network. Templates and assets are package data read through :mod:`importlib.resources`,
so this works from an installed wheel as well as from a source checkout.

Examples
--------
>>> from pathlib import Path
>>> render_report(data, Path("report.html"))  # doctest: +SKIP
PosixPath('report.html')
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FunctionLoader, StrictUndefined
from markupsafe import Markup

from memberlens import __version__
from memberlens.reports import analysis_view, cluster_view, model_view, recommend_view
from memberlens.reports import report_view as view
from memberlens.reports.labels import LANGS, UI_TEXT, Lang
from memberlens.reports.report_data import ReportData, ReportError

_PACKAGE = "memberlens.reports"
TEMPLATE = "report.html.j2"
# the page script first: the others draw their sections with the helpers it hands over
SCRIPTS = ("report.js", "analysis.js", "clusters.js", "models.js", "recommend.js")

# Characters that could end a <script> element or start an HTML comment inside it, plus
# the two line separators that are legal in JSON but not in older JavaScript strings.
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_CLOSE = re.compile(r"</(script)", re.IGNORECASE)


def _resource_text(*parts: str) -> str:
    """Text of a file shipped inside the package (works from a wheel or a zip)."""
    try:
        return files(_PACKAGE).joinpath(*parts).read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ReportError(
            f"报告资源文件缺失 missing report resource: {'/'.join(parts)}; "
            "the memberlens installation is incomplete, reinstall it"
        ) from e


def _load_template(name: str) -> str:
    """Jinja loader hook: templates live in the package's ``templates/`` folder."""
    return _resource_text("templates", name)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """One Jinja environment; autoescape always on since everything rendered is HTML."""
    env = Environment(
        loader=FunctionLoader(_load_template),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["script_json"] = script_json
    return env


def script_json(value: Any) -> Markup:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or ``&`` break-out.

    Examples
    --------
    >>> str(script_json({"f": "</script>"}))
    '{"f":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - every character that could break out is escaped above


def inline_script(source: str) -> Markup:
    """JavaScript source made safe to place between ``<script>`` tags.

    ``<\\/script`` means the same as ``</script`` inside a JS string or regex, but the
    HTML parser no longer sees the end of the element in it.
    """
    return Markup(_SCRIPT_CLOSE.sub(r"<\\/\1", source))  # noqa: S704 - trusted package asset


@lru_cache(maxsize=8)
def _asset(name: str) -> str:
    """A static asset's text, read once per process (ECharts is 1 MB)."""
    return _resource_text("static", name)


def _check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ReportError(
            f"不支持的报告语言 unsupported report language lang={lang!r}; "
            f"use one of {', '.join(LANGS)}"
        )
    return lang


def report_html(data: ReportData, *, lang: str = "zh") -> str:
    """The complete report page as a string (for the API, which serves it without a file).

    Parameters
    ----------
    data
        What to show, filled by the analytics.
    lang
        ``"zh"`` (default, for the marketers) or ``"en"``.
    """
    language = _check_lang(lang)
    payload = view.chart_payload(data, language)
    context = {
        "data": data,
        "lang": language,
        "t": UI_TEXT[language],
        "version": __version__,
        "kpis": view.kpis(data, language),
        "rfm_rows": view.rfm_rows(data, language),
        "rfm_total": view.rfm_total(data),
        "pareto_headline": view.pareto_headline_text(data, language),
        "pareto_members": view.headline_pct(data.pareto_headline[0]),
        "pareto_revenue": view.headline_pct(data.pareto_headline[1]),
        "cleaning_rows": view.cleaning_rows(data, language),
        "analysis": analysis_view.analysis_text(data, language),
        "funnel_rows": analysis_view.funnel_rows(data, language),
        "cluster_rows": cluster_view.cluster_rows(data.clusters, language),
        "cluster_headline": cluster_view.cluster_headline(data.clusters, language),
        "mt": model_view.MODEL_TEXT[language],
        "model_blocks": model_view.model_blocks(data.models, language),
        "clv_text": model_view.clv_headline(data.models, language),
        "rt": recommend_view.RECOMMEND_TEXT[language],
        "recommend_blocks": recommend_view.recommend_blocks(data.recommend, language),
        "payload": payload,
        "css": Markup(_asset("report.css")),  # noqa: S704 - trusted package asset
        "echarts_js": inline_script(_asset("echarts.min.js")),
        # one script element: the analysis charts reuse the page script's helpers
        "report_js": inline_script("\n".join(_asset(name) for name in SCRIPTS)),
    }
    return _environment().get_template(TEMPLATE).render(context)


def render_report(data: ReportData, out: Path, *, lang: str = "zh") -> Path:
    """Write the report to ``out`` and return the path.

    The file is written to a temporary name next to ``out`` and renamed, so a reader
    never sees half a report and a failed run leaves the previous report in place.

    Parameters
    ----------
    data
        What to show, filled by the analytics.
    out
        Where to write; parent folders are created.
    lang
        ``"zh"`` (default) or ``"en"``.

    Raises
    ------
    ReportError
        When the language is unknown or the file cannot be written.
    """
    html = report_html(data, lang=lang)
    out = Path(out)
    tmp: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        tmp = Path(tmp_name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
        tmp.chmod(0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, out)
    except OSError as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise ReportError(
            f"无法写入报告 cannot write report file={out}: {e.strerror or e}; "
            "choose another --out path or check its permissions"
        ) from e
    return out
