"""The tag catalog (declarative definitions), its compiler and runner, and tag history."""

from __future__ import annotations

from .catalog import Catalog, TagDefinitionError, load_catalog
from .compiler import CompileInputs, compile_catalog
from .definition import CATEGORY_LABELS, Category, TagDefinition, ValueType
from .expressions import ExpressionError, parse_expression
from .quality import QualityReport, tag_quality
from .runner import TagRunResult, default_as_of, run_tags

__all__ = [
    "CATEGORY_LABELS",
    "Catalog",
    "Category",
    "CompileInputs",
    "ExpressionError",
    "QualityReport",
    "TagDefinition",
    "TagDefinitionError",
    "TagRunResult",
    "ValueType",
    "compile_catalog",
    "default_as_of",
    "load_catalog",
    "parse_expression",
    "run_tags",
    "tag_quality",
]
