"""The jinja environment: one small template per output file, StrictUndefined."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def environment() -> Environment:
    # imported here: planning, explain, compile and a `gen` with nothing to do never render
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("generator.render", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat per render (15,000 at 1,000 services)
    )


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)
