"""`memberlens recommend …`: evaluate recommenders, serve top-N lists, rules and bundles.

The commands live in facet modules (``cli_recommend_*.py``) that add themselves to
:data:`recommend_app`; importing them below is what registers them.
"""

from __future__ import annotations

import typer

recommend_app = typer.Typer(help="推荐 recommendations: evaluate, member top-N, similar SKUs, "
                                 "rules and bundles", no_args_is_help=True)

# facet modules register their commands on recommend_app when imported (keep last)
from . import cli_recommend_eval  # noqa: E402, F401  (evaluate)

# isort: split
from . import cli_recommend_serve  # noqa: E402, F401  (run, member, similar)

# isort: split
from . import cli_recommend_rules  # noqa: E402, F401  (rules, together, bundles)
