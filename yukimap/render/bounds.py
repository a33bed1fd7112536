"""The bounds of a template. A user's template is code that yukimap runs on every file: no
template may hang yukimap, exhaust its memory or reach past its sandbox, and every way one
fails is the user's to fix, named by file and line.

- The file: read only when it is a regular UTF-8 file within limits.max_template_kb and
  free of characters that no Yuki document can carry (templatefiles.py).
- Time: one deadline for rendering a file (limits.max_render_seconds), checked on every
  piece of output, every loop step, call and intercepted operator, so that even a loop
  that writes nothing ends.
- Output: the text a template writes, into the document or into a macro or block,
  is counted as it is written (limits.max_output_mb).
- Values: a template cannot change lists or dicts in place (ImmutableSandboxedEnvironment),
  and every operation that can make a value much larger than its inputs (`*`, `**`, `+`,
  `%`, `~`, and the methods and filters that take a width or repeat their input) is sized
  before it runs: no single value it computes may be over limits.text_chars characters
  (as printed) or a number over limits.template_digits digits.
- Recursion: Python's own limit stops a macro that calls itself; that is the user's error too.
"""

from __future__ import annotations

import math
import operator
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import (
    SecurityError,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, missing

from yukimap.errors import MappingError, Problem, Where
from yukimap.limits import MB, limits, over
from yukimap.templatefiles import TemplateLimit, read_template

STEPS = "yukimap_steps"  # the filter that every loop's iterable goes through
TEXT_HINT = "build smaller values, or write the pieces to the document one by one"
# Attributes that build large values from small ones, and that no Yuki template needs.
_UNSAFE = frozenset({"expandtabs", "translate", "maketrans", "format_map", "fromkeys"})


def _over(setting: str, what: str, found: str) -> TemplateLimit:
    message, hint = over(setting, what, found)
    return TemplateLimit(message, hint=hint)


# --- time ---------------------------------------------------------------------------------

_current = threading.local()  # the deadline of the rendering that runs in this thread


class Deadline:
    """When rendering one file must end (limits.max_render_seconds from its start)."""

    def __init__(self) -> None:
        self.seconds = limits().max_render_seconds
        self.at = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise _over("max_render_seconds", "rendering", f"stopped after {self.seconds} seconds")



@contextmanager
def running(deadline: Deadline) -> Iterator[None]:
    """`deadline` is the one that the templates rendered in this thread check."""
    outer = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = outer


def check_time() -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.check()


def output_over(written: int) -> TemplateLimit | None:
    """TemplateLimit when `written` characters are over limits.max_output_mb."""
    if written <= limits().max_output_mb * MB:
        return None
    return _over("max_output_mb", "the rendered document",
                 f"more than {limits().max_output_mb:,} MB")


# --- sizes ----------------------------------------------------------------------------------


def _size(value: Any, budget: int | None = None) -> int:
    """About how many characters `value` prints as; stops counting past `budget`."""
    budget = limits().text_chars if budget is None else budget
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        total = 2
        for item in (value.items() if isinstance(value, dict) else value):
            total += _size(item, budget - total) + 2
            if total > budget:
                break
        return total
    return 1  # a reference to something the template was given


def _refuse_text(size: int) -> None:
    bound = limits().text_chars
    if size > bound:
        raise TemplateLimit(f"a text of {size:,} characters is over yukimap's limit of"
                            f" {bound:,} characters for one value a template computes",
                            hint=TEXT_HINT)


def _refuse_digits(digits: float) -> None:
    bound = limits().template_digits
    if digits > bound:
        raise TemplateLimit(f"a number of {math.ceil(digits):,} digits is over yukimap's limit"
                            f" of {bound:,} digits for one value a template computes",
                            hint=TEXT_HINT)


def _grows(result: int, *inputs: Any) -> None:
    """Refuse a result that would be more than limits.text_chars over its largest input."""
    largest = max((_size(i) for i in inputs), default=0)
    if result - largest > limits().text_chars:
        _refuse_text(result)


def _digits(number: int) -> float:
    return number.bit_length() * math.log10(2)


def _repeat(value: Any, times: Any) -> None:
    if isinstance(times, int) and isinstance(value, (str, list, tuple)) and times > 1:
        _grows(_size(value) * times, value)


def _product(left: Any, right: Any) -> None:
    if type(left) is int and type(right) is int:
        _refuse_digits(_digits(left) + _digits(right))
    _repeat(left, right)
    _repeat(right, left)


def _power(base: Any, exponent: Any) -> None:
    if type(base) is int and type(exponent) is int and abs(base) > 1 and exponent > 0:
        _refuse_digits(exponent * math.log10(abs(base)))


def _sum(left: Any, right: Any) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _grows(_size(left) + _size(right), left, right)


# A width or precision of a million or more, or one taken from a value, in a %-format or in
# the spec of a {}-format field.
_WIDTH = re.compile(r"%[-#0 +]*\d*\.?(?:\d{7,}|\*)|\{[^{}]*:[^{}]*(?:\d{7,}|\{)")


def _formatted(template: Any, args: Iterable[Any]) -> None:
    """`template % args` or `template.format(*args)`: no huge widths, and each field printed
    at most once per placeholder."""
    if not isinstance(template, str):
        return
    if _WIDTH.search(template):
        raise TemplateLimit("a format with a width of a million or more, or a width taken"
                            " from a value, is over yukimap's limit for a template",
                            hint=TEXT_HINT)
    values = list(args)
    fields = template.count("%") + template.count("{")
    biggest = max((_size(v) for v in values), default=0)
    _grows(len(template) + fields * biggest, template, *values)


def _modulo(left: Any, right: Any) -> None:
    if isinstance(right, dict):
        _formatted(left, right.values())
    else:
        _formatted(left, right if isinstance(right, tuple) else (right,))


BINOPS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None]]] = {
    "*": (operator.mul, _product), "**": (operator.pow, _power), "+": (operator.add, _sum),
    "%": (operator.mod, _modulo),
}


def _replaced(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _grows(len(text) + found * (len(new) - len(old)), text)


def _widened(text: Any, width: Any, *_: Any) -> None:
    if isinstance(width, int) and isinstance(text, str):
        _grows(width, text)


def _indented(text: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    each = len(width) if isinstance(width, str) else width
    if isinstance(text, str) and isinstance(each, int):
        _grows(len(text) + (text.count("\n") + 1) * each, text)


def _wrapped(text: Any, width: Any = 79, break_long: Any = True, wrapstring: Any = None,
             *_: Any) -> None:
    if isinstance(text, str) and isinstance(width, int) and isinstance(wrapstring, str):
        breaks = len(text) // max(width, 1) + text.count("\n") + 1
        _grows(len(text) + breaks * len(wrapstring), text)


def _filled(items: Any, count: Any, fill: Any = None) -> None:
    if isinstance(count, int):
        _refuse_text(count * max(_size(fill), 1) if count > 0 else 0)


# Methods of str (and Markup) that can make much more text than they are given.
_METHODS: dict[str, Callable[..., None]] = {
    "replace": _replaced, "center": _widened, "ljust": _widened, "rjust": _widened,
    "zfill": _widened, "format": lambda text, *args, **kw: _formatted(text, [*args, *kw.values()]),
}
# Filters that can, by name, with the position of the value among their arguments.
_FILTERS: dict[str, Callable[..., None]] = {
    "replace": _replaced, "center": _widened, "indent": _indented, "wordwrap": _wrapped,
    "batch": _filled, "slice": _filled,
    "format": lambda text, *args, **kw: _formatted(text, [*args, *kw.values()]),
}
_TEXT_FILTERS = frozenset({"replace", "center", "indent", "wordwrap", "format"})


def _printed(value: Any) -> str:
    """What a text filter makes of `value`: the value printed, unless that is too big."""
    if isinstance(value, str):
        return value
    _refuse_text(_size(value))
    return str(value)


# Filters that collect the items of what they are given (an iterator: e.g. the lazy result
# of map): counted while they take them.
_COLLECTING = frozenset({"join", "list", "sort", "unique", "reverse", "batch", "slice",
                         "groupby", "sum", "min", "max"})


def _taken(items: Iterable[Any], separator: str = "") -> list[Any]:
    """The items of a collecting filter or of a join, counted while they are taken, so that
    a huge collection stops early."""
    taken: list[Any] = []
    total = largest = 0
    for item in items:
        size = _size(item)
        total += size + len(separator)
        largest = max(largest, size)
        if total - largest > limits().text_chars:
            _refuse_text(total)
        taken.append(item)
    return taken


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if getattr(function, "jinja_pass_arg", None) else 0  # eval_ctx or environment

    @wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_time()
        value, rest = args[skip], args[skip + 1:]
        if name == "join":
            args = (*args[:skip], _taken(value, str(kwargs.get("d", rest[0] if rest else ""))),
                    *rest)
        elif name in _COLLECTING and isinstance(value, Iterator):
            args = (*args[:skip], _taken(value), *rest)
        if name in _TEXT_FILTERS:  # they print what they are given, then work on the text
            _FILTERS[name](_printed(args[skip]), *args[skip + 1:], **kwargs)
        elif name in _FILTERS:
            _FILTERS[name](*args[skip:], **kwargs)
        return function(*args, **kwargs)

    return guarded


def bounded_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's own filters, those that can amplify checked before they run."""
    return {name: _guarded_filter(name, f) if name in _FILTERS or name in _COLLECTING else f
            for name, f in filters.items()}


def bounded_range(*args: int) -> Iterable[int]:
    numbers = range(*args)
    if len(numbers) > limits().template_range:
        raise TemplateLimit(f"range({', '.join(map(str, args))}) is over yukimap's limit of"
                            f" {limits().template_range:,} numbers",
                            hint="loop over the documents and their lines instead")
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

    def __setitem__(self, name: str, value: Any) -> None:
        _refuse_text(_size(value))
        super().__setitem__(name, value)


class _Buffer(list):  # type: ignore[type-arg]
    """What a macro, a block or a {% set %} block writes: counted like the output."""

    __slots__ = ("_written",)

    def __init__(self) -> None:
        super().__init__()
        self._written = 0

    def append(self, piece: Any) -> None:
        self._count(piece)
        super().append(piece)

    def extend(self, pieces: Iterable[Any]) -> None:
        pieces = list(pieces)
        for piece in pieces:
            self._count(piece)
        super().extend(pieces)

    def _count(self, piece: Any) -> None:
        self._written += len(piece) if isinstance(piece, str) else _size(piece)
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
                items = _taken(self._iterator)
                self._iterator = self._to_iterator(items)
                self._length = len(items) + self.index + (self._after is not missing)
        return self._length


class _Code(CodeGenerator):
    """Jinja's code generator, with loops, text joins (~) and macro and block output going
    through the environment's bounds."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        # Every loop's iterable through a filter, which is called directly, not through the
        # sandbox's call(): the loops of the shipped templates stay as fast as they were.
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, STEPS, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)
        self.writeline("LoopContext = environment.loop_context")  # looked up when loops run

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:  # Jinja's own choice of join, as in its visit_Concat
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.joined({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

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

    buffer = staticmethod(_Buffer)
    loop_context = _Loop

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in _UNSAFE and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_time()
        function, check = BINOPS[operator]
        check(left, right)
        return function(left, right)

    def joined(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ c`, sized before it is joined."""
        check_time()
        _grows(sum(_size(p) for p in parts), *parts)
        return join(parts)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: PYI063
        check_time()
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            name = getattr(method, "__name__", "")
            if name == "join" and args:
                args = (_taken(args[0], owner), *args[1:])
            elif name in _METHODS:
                _METHODS[name](owner, *args, **kwargs)
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


# --- failures --------------------------------------------------------------------------

SANDBOX_HINT = ("a template can use the documents' values, loops and filters,"
                " not Python's internals")
# What a user's own template can raise while it renders: the user's to fix, not a bug.
USER_ERRORS: tuple[type[Exception], ...] = (
    TemplateError, TemplateLimit, ArithmeticError, TypeError, ValueError, LookupError,
    AttributeError, AssertionError, RecursionError, MemoryError)  # e.g. 7|dictsort, truncate(0)


def located(exc: BaseException, template: str) -> MappingError:
    """A failure of the template `template` while rendering, at the template line where it
    happened (an included template's, when it happened there)."""
    if isinstance(exc, TemplateSyntaxError):
        path = exc.filename or template
        return MappingError(f"template {path} has a syntax error", problems=[
            Problem(exc.message or "syntax error", Where(file=path, line=exc.lineno))])
    path, line = template, None
    trace = exc.__traceback__
    while trace is not None:  # Jinja rewrites its frames to the template's file and line
        if "__jinja_exception__" in trace.tb_frame.f_globals:
            path, line = trace.tb_frame.f_code.co_filename, trace.tb_lineno
        trace = trace.tb_next
    cause, hint = _explained(exc)
    return MappingError(f"template {path} cannot be rendered",
                        problems=[Problem(cause, Where(file=path, line=line), hint=hint)])


def _explained(exc: BaseException) -> tuple[str, str | None]:
    if isinstance(exc, MappingError):
        return exc.message, exc.hint
    if isinstance(exc, TemplateNotFound):
        return (f"includes {exc.name}, which is not in the template's folder",
                "include templates from the template's own folder, by name")
    if isinstance(exc, SecurityError):
        return exc.message or str(exc), SANDBOX_HINT
    if isinstance(exc, UndefinedError):
        return (exc.message or str(exc),
                "the template uses a name that the document does not have; check its spelling")
    if isinstance(exc, RecursionError):
        return ("a macro calls itself too deeply (without end?)",
                "make sure the macro stops calling itself")
    if isinstance(exc, MemoryError):
        return "needs more memory than there is", TEXT_HINT
    return str(exc) or type(exc).__name__, "check the expressions on this line of the template"
