"""The jinja environment: one small template per output file, StrictUndefined."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment, Template


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


@cache
def _template(name: str) -> Template:
    return environment().get_template(name)


def render(template: str, **values: Any) -> str:
    # the values are the context itself (shared): the templates use no globals, and a root's five
    # files are 15,000 renders at 1,000 services, where copying the globals into each context was
    # most of the time
    found = _template(template)
    try:
        return "".join(found.root_render_func(found.new_context(values, shared=True)))
    except Exception:
        return found.environment.handle_exception()  # the template's own lines in the traceback, as render() does
