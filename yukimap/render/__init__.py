"""The render stage: mapped documents in, document text out, through a Jinja2 template.

Pure apart from reading the template file. The environment is built here and only here:
sandboxed, StrictUndefined (a misspelt variable is an error, not an empty string), and
autoescaping for XML templates. Templates write elements with the `el` function, which
knows Yuki's rule for empty values: an omitted element leaves Yuki's value alone, an empty
element clears it, and xsi:nil is a third state.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from yukimap import text as text_policy
from yukimap.model import Mapping
from yukimap.render.bounds import Deadline, running
from yukimap.render.failures import USER_ERRORS, located
from yukimap.render.fragments import NIL, el
from yukimap.render.nodes import BLOCK_MARK, Document, Items, Node, contexts
from yukimap.render.sandbox import BoundedSandbox, TemplateFolder
from yukimap.render.stream import render, render_stream
from yukimap.resources import templates_dir

__all__ = [
    "BLOCK_MARK", "NIL", "USER_ERRORS", "Deadline", "Document", "Items", "Node", "contexts",
    "el", "environment", "load_template", "render", "render_stream", "running",
]


def csv_field(value: Any, separator: str = ";") -> str:
    """A CSV field: quoted only when it holds the separator, a quote or a line break."""
    return "" if value is None or value is NIL else text_policy.csv_field(str(value), separator)


def amount(value: Any, mark: str = ",") -> str:
    """A canonical amount ('-1234.5') as Yuki's CSV formats want it: '-1234,50'."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
    return text.replace(".", mark)


def dmy(value: Any) -> str:
    """An ISO date as dd-mm-yyyy."""
    if value is None or value == "":
        return ""
    year, month, day = str(value).split("-")
    return f"{day}-{month}-{year}"


class _Sandbox(BoundedSandbox):
    """The sandbox (sandbox.py), with a fast path for Nodes: their public attributes
    are all data."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Node:
            if attribute.startswith("_"):
                return self.unsafe_undefined(obj, attribute)
            try:
                return getattr(obj, attribute)
            except AttributeError:  # Jinja would name the class, not the field
                return self.undefined(f"{attribute!r} is not a field here", obj=obj,
                                      name=attribute)
        return super().getattr(obj, attribute)


@cache
def environment(folder: Path) -> jinja2.Environment:
    env = _Sandbox(
        loader=TemplateFolder(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("xml", "xml.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["el"] = el
    env.filters["csv"] = csv_field
    env.filters["amount"] = amount
    env.filters["dmy"] = dmy
    env.tests["nil"] = lambda value: value is NIL
    return env


def load_template(mapping: Mapping) -> jinja2.Template:
    path = mapping.template or templates_dir() / mapping.target.template
    try:
        return environment(path.parent).get_template(path.name)
    except (jinja2.TemplateError, ValueError, RecursionError, MemoryError) as exc:
        raise located(exc, str(path)) from None
