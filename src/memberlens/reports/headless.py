"""Open a report in headless Chromium: the rendered DOM, a screenshot, the charts' state.

Used by the browser tests to prove the charts really draw (not just that the HTML has the
right strings) and, later, by the console to self-check a report. Only the browser's own
command line is used — no driver, no network — so it works with Debian's ``chromium``
package and nothing else.

Examples
--------
>>> browser = find_chromium()  # doctest: +SKIP
>>> dom = render_dom(Path("report.html"))  # doctest: +SKIP
>>> chart_status(dom)["rfm"].rendered  # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from memberlens.reports.report_data import ReportError

# Names the browser goes by on Debian/Ubuntu, in Google's packages and in Chrome for Testing.
CHROMIUM_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "chrome-headless-shell",
    "headless_shell",
)
DEFAULT_BUDGET_MS = 10_000
DEFAULT_TIMEOUT_S = 120.0

# HTML elements that never have an end tag; needed to track nesting in the dumped DOM.
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def find_chromium() -> str | None:
    """Absolute path of a Chromium or Chrome on ``PATH``, or ``None`` when there is none."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser_or_raise(browser: str | None) -> str:
    found = browser or find_chromium()
    if not found:
        raise ReportError(
            "找不到 Chromium no Chromium/Chrome found on PATH; "
            "install it (Debian: apt-get install chromium) or pass browser=..."
        )
    return found


def _flags(user_data_dir: str) -> list[str]:
    """Flags for a quiet, offline, throw-away browser.

    ``--no-sandbox`` is needed to run as root in containers and CI; it is acceptable
    because this browser only ever opens report files we generated ourselves.
    """
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--mute-audio",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={user_data_dir}",
    ]


def _run(args: list[str], timeout: float) -> bytes:
    """Run the browser in its own process group and return stdout; kill the group on timeout."""
    with subprocess.Popen(  # noqa: S603 - fixed argument list, no shell, our own browser path
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ReportError(
                f"Chromium 超时 did not finish within {timeout:.0f}s: {' '.join(args[:1])}; "
                "raise timeout= or check that the page does not hang"
            ) from e
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-8:]
        raise ReportError(
            f"Chromium 运行失败 exited with {proc.returncode}: {' '.join(args)}\n" + "\n".join(tail)
        )
    return out


def _file_url(html_path: Path) -> str:
    path = Path(html_path).resolve()
    if not path.is_file():
        raise ReportError(f"报告文件不存在 report file not found: {path}")
    return path.as_uri()


def render_dom(
    html_path: Path,
    *,
    budget_ms: int = DEFAULT_BUDGET_MS,
    browser: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> str:
    """The page's DOM after its scripts ran for ``budget_ms`` of virtual time.

    Virtual time lets animations and the charts' ``finished`` events complete without
    real waiting, so the result is deterministic.
    """
    exe = _browser_or_raise(browser)
    url = _file_url(html_path)
    with tempfile.TemporaryDirectory(prefix="memberlens-chromium-") as profile:
        out = _run(
            [exe, *_flags(profile), f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            timeout,
        )
    return out.decode("utf-8", "replace")


def screenshot(
    html_path: Path,
    png: Path,
    width: int = 1280,
    height: int = 3000,
    *,
    budget_ms: int = DEFAULT_BUDGET_MS,
    browser: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Path:
    """Save a PNG of the page at ``width`` x ``height`` pixels and return its path."""
    exe = _browser_or_raise(browser)
    url = _file_url(html_path)
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="memberlens-chromium-") as profile:
        _run(
            [
                exe,
                *_flags(profile),
                f"--virtual-time-budget={budget_ms}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                url,
            ],
            timeout,
        )
    if not png.is_file():
        raise ReportError(f"Chromium 没有生成截图 wrote no screenshot to {png}")
    return png


@dataclass
class ChartStatus:
    """What one ``data-chart`` container looked like in the rendered DOM."""

    name: str
    rendered: str | None = None  # the data-rendered attribute: "true", "false", "error"
    drawings: int = 0  # <svg> and <canvas> elements inside the container
    text: list[str] = field(default_factory=list)  # text drawn inside (SVG renderer)


class _ChartScanner(HTMLParser):
    """Collects every ``[data-chart]`` container, its state and what was drawn in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: dict[str, ChartStatus] = {}
        self._current: ChartStatus | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._current is None:
            attributes = dict(attrs)
            name = attributes.get("data-chart")
            if name is not None:
                self._current = ChartStatus(name=name, rendered=attributes.get("data-rendered"))
                self.charts[name] = self._current
                self._depth = 1
            return
        if tag in ("svg", "canvas"):
            self._current.drawings += 1
        if tag not in _VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._current is not None and tag in ("svg", "canvas"):
            self._current.drawings += 1

    def handle_endtag(self, tag: str) -> None:
        if self._current is None or tag in _VOID:
            return
        self._depth -= 1
        if self._depth == 0:
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and data.strip():
            self._current.text.append(data.strip())


def chart_status(dom: str) -> dict[str, ChartStatus]:
    """Every chart container in a dumped DOM, by its ``data-chart`` name."""
    scanner = _ChartScanner()
    scanner.feed(dom)
    scanner.close()
    return scanner.charts
