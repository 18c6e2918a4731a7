"""What every benchmark shares: steps in fresh processes, peak memory, the machine, results.

A benchmark script is a driver that runs each measured step as `script --step NAME …`
in a new Python process, so a step's peak RSS (ru_maxrss) is its own and nothing a
previous step loaded is still warm in the interpreter. Each benchmark writes its own
section under bench/results/; `assemble` joins the sections into bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
WORK = HERE / "work"
RESULTS_DIR = HERE / "results"
RESULTS = HERE / "RESULTS.md"

# sections in the order RESULTS.md shows them; a section not yet measured is left out
SECTIONS = ("ingest", "tags", "clv_models", "models", "clusters", "audience", "recommend",
            "recommend_public")


class StepTimeout(Exception):
    """A step ran longer than the time its driver allowed it (the process was killed)."""


def run_step(script: str, name: str, args: Sequence[str],
             timeout: float | None = None) -> dict[str, Any]:
    """Run `script --step name args…` in a fresh process; its last stdout line is JSON."""
    cmd = [sys.executable, script, "--step", name, *args]
    started = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise StepTimeout(f"step {name} {' '.join(args)}: over {timeout:g} s") from e
    if out.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    print(f"{name} {' '.join(args)}: {result}", flush=True)
    return result


def step_main(steps: dict[str, Callable[[Any], dict[str, Any]]], name: str, a: Any) -> None:
    """Inside the child process: run one step, add its peak RSS, print one JSON line."""
    result = steps[name](a)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, default=str))


def machine() -> str:
    """CPU, cores, memory, OS and the library versions that matter to the timings."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb
    import pandas

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, DuckDB "
            f"{duckdb.__version__}, pandas {pandas.__version__}")


def now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def write_section(name: str, text: str) -> Path:
    """Store one benchmark's section and rebuild RESULTS.md from every section."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; add it to SECTIONS")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.md"
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    assemble()
    return path


def assemble() -> str:
    """RESULTS.md = a header and every section that has been measured, in order."""
    parts = [
        "# Benchmark results",
        "",
        "Each section is written by its own benchmark and states the machine and the date "
        "it was measured on; re-running one benchmark replaces only its section "
        "(sources: `bench/results/*.md`).",
    ]
    for s in SECTIONS:
        path = RESULTS_DIR / f"{s}.md"
        if path.exists():
            parts += ["", path.read_text(encoding="utf-8").rstrip()]
    text = "\n".join(parts) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return text
