"""The sandbox every template runs in: Jinja's immutable sandbox, with loops, calls,
operators, text joins and macro and block output going through the bounds (bounds.py,
sizes.py), and templates read only from their own folder, within their bounds
(templatefiles.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateNotFound
from jinja2.loaders import split_template_path
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, missing

from yukimap.i18n import tr
from yukimap.limits import limits
from yukimap.render import whole
from yukimap.render.bounds import check_time, output_over
from yukimap.render.sizes import (
    BINOPS,
    METHODS,
    bounded_filters,
    grows,
    refuse_text,
    size_of,
    taken,
)
from yukimap.templatefiles import TemplateLimit, read_template

STEPS = "yukimap_steps"  # the filter that every loop's iterable goes through
# Attributes that build large values from small ones, and that no Yuki template needs.
_UNSAFE = frozenset({"expandtabs", "translate", "maketrans", "format_map", "fromkeys"})


def bounded_range(*args: int) -> Iterable[int]:
    numbers = range(*args)
    if len(numbers) > limits().template_range:
        raise TemplateLimit(tr("range({args}) is over yukimap's limit of {limit} numbers",
                               args=", ".join(map(str, args)),
                               limit=f"{limits().template_range:,}"),
                            hint=tr("loop over the documents and their lines instead"))
    return _Stepped(numbers)


class _Stepped:
    """An iterable whose steps check the deadline; its length is the underlying one's."""

    __slots__ = ("_items",)

    def __init__(self, items: Any) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        for step, item in enumerate(self._items):
            if not step & 255:
                check_time()
            yield item


class BoundedNamespace(Namespace):
    """namespace(): a value set in it is sized like any other the template computes."""

    def __setitem__(self, name: str, value: object) -> None:
        refuse_text(size_of(value))
        super().__setitem__(name, value)


class _Buffer(list[object]):
    """What a macro, a block or a {% set %} block writes: counted like the output."""

    __slots__ = ("_written",)

    def __init__(self) -> None:
        super().__init__()
        self._written = 0

    def append(self, piece: object) -> None:
        self._count(piece)
        super().append(piece)

    def extend(self, pieces: Iterable[object]) -> None:
        pieces = list(pieces)
        for piece in pieces:
            self._count(piece)
        super().extend(pieces)

    def _count(self, piece: object) -> None:
        self._written += len(piece) if isinstance(piece, str) else size_of(piece)
        problem = output_over(self._written)
        if problem is not None:
            raise problem
        check_time()


class _Loop(LoopContext):
    """`loop`, whose length (loop.length, loop.revindex) takes a lazy sequence's items
    counted, as a collecting filter does."""

    @property
    def length(self) -> int:
        if self._length is None:
            try:
                self._length = len(self._iterable)  # type: ignore[arg-type]
            except TypeError:
                items = taken(self._iterator)
                self._iterator = self._to_iterator(items)
                self._length = len(items) + self.index + (self._after is not missing)
        return self._length


class _Code(CodeGenerator):
    """Jinja's code generator, with loops, text joins (~) and macro and block output going
    through the environment's bounds."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        whole.rewrite(node)
        # Every loop's iterable through a filter, which is called directly, not through the
        # sandbox's call(): the loops of the shipped templates stay as fast as they were.
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, STEPS, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)
        self.writeline("LoopContext = environment.loop_context")  # looked up when loops run

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:  # Jinja's own choice of join, as in its visit_Concat
            join = "(markup_join if context.eval_ctx.volatile else str_join)"  # i18n: code
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.joined({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    _pieces = False  # writing the output of whole.pieces

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        self._pieces = whole.writes_pieces(node)
        try:
            super().visit_Output(node, frame)
        finally:
            self._pieces = False

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._pieces:  # as whole.pieces says
            self.write("" if frame.buffer is None else "environment.piece_text(")
            return
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._pieces:
            self.write("" if frame.buffer is None else ")")
            return
        super()._output_child_post(node, frame, finalize)

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.buffer()")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox every template runs in, with the bounds of this module."""

    code_generator_class = _Code
    intercepted_binops = frozenset(BINOPS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = bounded_filters(self.filters)
        self.globals.pop("lipsum", None)
        self.globals["range"] = bounded_range
        self.globals["namespace"] = BoundedNamespace
        self.filters[STEPS] = _Stepped
        self.globals[whole.WHOLE] = whole.whole
        self.globals[whole.BLOCKS] = whole.blocks

    buffer = staticmethod(_Buffer)
    piece_text = staticmethod(whole.text_of)  # where Jinja gathers output (whole.pieces)
    loop_context = _Loop

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in _UNSAFE and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_time()
        function, check = BINOPS[operator]
        check(left, right)
        return function(left, right)

    def joined(self, join: Callable[[Iterable[object]], str], parts: tuple[object, ...]) -> str:
        """`a ~ b ~ c`, sized before it is joined."""
        check_time()
        grows(sum(size_of(p) for p in parts), *parts)
        return join(parts)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: PYI063
        check_time()
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            name = getattr(method, "__name__", "")
            if name == "join" and args:
                args = (taken(args[0], owner), *args[1:])
            elif name in METHODS:
                METHODS[name](owner, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)


class TemplateFolder(BaseLoader):
    """The templates of one folder (a user's own, or the shipped ones), each read by
    read_template: a template may include or import others from its own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        if not path.exists():
            raise TemplateNotFound(template)
        return read_template(path), str(path), lambda: True
