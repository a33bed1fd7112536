"""The render stage: mapped documents in, document text out, through a Jinja2 template.

Pure apart from reading the template file. Each module has one reason to change:
- environment: the one Jinja2 environment (the sandbox, `el()`, the filters), and a
  mapping's template loaded in it;
- bounds, sizes, sandbox, failures: a template's bounds (its time and output, the size of
  the values it computes, Jinja's machinery that enforces them) and how it fails;
- fragments: elements as XML text by Yuki's rule for empty values, for a slice of documents
  by polars and for one row in Python, side by side;
- nodes: what a template sees (Node, Items, the lazy rows), a slice of documents at a time;
- whole: a loop that writes each document whole, compiled as one call, its texts made by
  polars a slice of documents at a time;
- stream: a template rendered as a stream of text within its bounds.
"""

from __future__ import annotations

from yukimap.render.bounds import Deadline, running
from yukimap.render.environment import environment, load_template, writes_documents_whole
from yukimap.render.failures import USER_ERRORS
from yukimap.render.fragments import NIL, el
from yukimap.render.nodes import (
    BLOCK_MARK,
    BLOCK_MARK_BYTES,
    DocumentContext,
    Items,
    Lone,
    Node,
    Page,
    contexts,
    document_nodes,
    each_context,
    pages,
    spanning_context,
)
from yukimap.render.stream import render, render_stream

__all__ = [
    "BLOCK_MARK", "BLOCK_MARK_BYTES", "NIL", "USER_ERRORS", "Deadline", "DocumentContext",
    "Items", "Lone",
    "Node", "Page", "contexts", "document_nodes", "each_context", "el", "environment",
    "load_template", "pages", "render", "render_stream", "running", "spanning_context",
    "writes_documents_whole",
]
