"""The vendored ECharts is the file VENDORED.md says it is, with its licence beside it."""

from __future__ import annotations

import hashlib
from importlib.resources import files

ECHARTS_VERSION = "6.1.0"
ECHARTS_SHA256 = "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"

STATIC = files("memberlens.reports").joinpath("static")


def test_echarts_is_the_recorded_build() -> None:
    data = STATIC.joinpath("echarts.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ECHARTS_SHA256
    assert f'version="{ECHARTS_VERSION}"'.encode() in data


def test_licence_files_ship_with_it() -> None:
    licence = STATIC.joinpath("ECHARTS-LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence
    assert "Apache ECharts" in STATIC.joinpath("ECHARTS-NOTICE").read_text(encoding="utf-8")
    assert "Redistribution and use" in STATIC.joinpath("LICENSE-d3").read_text(encoding="utf-8")
    notes = STATIC.joinpath("VENDORED.md").read_text(encoding="utf-8")
    assert f"echarts@{ECHARTS_VERSION}" in notes
    assert "Apache-2.0" in notes
    assert ECHARTS_SHA256 in notes


def test_templates_and_assets_are_package_data() -> None:
    package = files("memberlens.reports")
    for name in ("templates/report.html.j2", "static/report.css", "static/report.js"):
        assert package.joinpath(*name.split("/")).is_file(), name
