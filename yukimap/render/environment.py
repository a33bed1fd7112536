"""The one Jinja2 environment every template renders in, built here and only here: the
bounded sandbox (sandbox.py), StrictUndefined (a misspelt variable is an error, not an empty
string), autoescaping for XML templates; `el()` to write an element by Yuki's rule for empty
values (fragments.py), and the filters of Yuki's cash CSV."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from yukimap import text as text_policy
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.render import whole
from yukimap.render.failures import located
from yukimap.render.fragments import NIL, el
from yukimap.render.nodes import Items, Node
from yukimap.render.sandbox import BoundedSandbox, TemplateFolder
from yukimap.resources import templates_dir


def csv_field(value: object, separator: str = ";") -> str:
    """A CSV field: quoted only when it holds the separator, a quote or a line break."""
    return "" if value is None or value is NIL else text_policy.csv_field(str(value), separator)


def amount(value: object, mark: str = ",") -> str:
    """A canonical amount ('-1234.5') as Yuki's CSV formats want it: '-1234,50'."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
    return text.replace(".", mark)


def dmy(value: object) -> str:
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
                return self.undefined(tr("{name} is not a field here", name=repr(attribute)),
                                      obj=obj,
                                      name=attribute)
        if type(obj) is Items and not attribute.startswith("_"):
            try:  # its public attributes are data too (blocks, rows): once per document
                return getattr(obj, attribute)
            except AttributeError:
                pass  # Jinja says what is missing, as before
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
    path = _template_path(mapping)
    try:
        return environment(path.parent).get_template(path.name)
    except (jinja2.TemplateError, ValueError, RecursionError, MemoryError) as exc:
        raise located(exc, str(path)) from None


def writes_documents_whole(mapping: Mapping) -> bool:
    """The mapping's template writes each of its `documents` whole (render.whole)."""
    return _writes_whole(_template_path(mapping))


@cache
def _writes_whole(path: Path) -> bool:
    """Read once per template file (templates are not reloaded during a run either)."""
    load = environment(path.parent)
    try:
        assert load.loader is not None
        source = load.loader.get_source(load, path.name)[0]
        return whole.writes_whole(load.parse(source), "documents")
    except (jinja2.TemplateError, ValueError, RecursionError, MemoryError):
        return False  # load_template says what is wrong with it


def _template_path(mapping: Mapping) -> Path:
    return mapping.template or templates_dir() / mapping.target.template
