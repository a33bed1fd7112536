"""The size of every value a template computes, checked before it is made: no text over
limits.text_chars characters (as printed), no number over limits.template_digits digits.
An operation is sized from its inputs (`*`, `**`, `+`, `%`, `~`, and the methods and
filters that take a width or repeat their input), so a huge value is refused, not built.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any, TypeVar

from yukimap.i18n import N_, tr
from yukimap.limits import limits
from yukimap.render.bounds import check_time
from yukimap.templatefiles import TemplateLimit

T = TypeVar("T")
TEXT_HINT = N_("build smaller values, or write the pieces to the document one by one")


def size_of(value: object, budget: int | None = None) -> int:
    """About how many characters `value` prints as; stops counting past `budget`."""
    budget = limits().text_chars if budget is None else budget
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        total = 2
        for item in (value.items() if isinstance(value, dict) else value):
            total += size_of(item, budget - total) + 2
            if total > budget:
                break
        return total
    return 1  # a reference to something the template was given


def refuse_text(size: int) -> None:
    bound = limits().text_chars
    if size > bound:
        raise TemplateLimit(tr("a text of {size} characters is over yukimap's limit of"
                               " {bound} characters for one value a template computes",
                               size=f"{size:,}", bound=f"{bound:,}"),
                            hint=tr(TEXT_HINT))


def _refuse_digits(digits: float) -> None:
    bound = limits().template_digits
    if digits > bound:
        raise TemplateLimit(tr("a number of {digits} digits is over yukimap's limit of"
                               " {bound} digits for one value a template computes",
                               digits=f"{math.ceil(digits):,}", bound=f"{bound:,}"),
                            hint=tr(TEXT_HINT))


def grows(result: int, *inputs: object) -> None:
    """Refuse a result that would be more than limits.text_chars over its largest input."""
    largest = max((size_of(i) for i in inputs), default=0)
    if result - largest > limits().text_chars:
        refuse_text(result)


def _digits(number: int) -> float:
    return number.bit_length() * math.log10(2)


def _repeat(value: object, times: object) -> None:
    if isinstance(times, int) and isinstance(value, (str, list, tuple)) and times > 1:
        grows(size_of(value) * times, value)


def _product(left: object, right: object) -> None:
    if type(left) is int and type(right) is int:
        _refuse_digits(_digits(left) + _digits(right))
    _repeat(left, right)
    _repeat(right, left)


def _power(base: object, exponent: object) -> None:
    if type(base) is int and type(exponent) is int and abs(base) > 1 and exponent > 0:
        _refuse_digits(exponent * math.log10(abs(base)))


def _sum(left: object, right: object) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        grows(size_of(left) + size_of(right), left, right)


# A width or precision of a million or more, or one taken from a value, in a %-format or in
# the spec of a {}-format field.
_WIDTH = re.compile(r"%[-#0 +]*\d*\.?(?:\d{7,}|\*)|\{[^{}]*:[^{}]*(?:\d{7,}|\{)")


def _formatted(template: object, args: Iterable[object]) -> None:
    """`template % args` or `template.format(*args)`: no huge widths, and each field printed
    at most once per placeholder."""
    if not isinstance(template, str):
        return
    if _WIDTH.search(template):
        raise TemplateLimit(tr("a format with a width of a million or more, or a width taken"
                               " from a value, is over yukimap's limit for a template"),
                            hint=tr(TEXT_HINT))
    values = list(args)
    fields = template.count("%") + template.count("{")
    biggest = max((size_of(v) for v in values), default=0)
    grows(len(template) + fields * biggest, template, *values)


def _modulo(left: object, right: object) -> None:
    if isinstance(right, dict):
        _formatted(left, right.values())
    else:
        _formatted(left, right if isinstance(right, tuple) else (right,))


BINOPS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None]]] = {
    "*": (operator.mul, _product), "**": (operator.pow, _power), "+": (operator.add, _sum),
    "%": (operator.mod, _modulo),
}


def _replaced(text: object, old: object, new: object, count: object = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    grows(len(text) + found * (len(new) - len(old)), text)


def _widened(text: object, width: object, *_: object) -> None:
    if isinstance(width, int) and isinstance(text, str):
        grows(width, text)


def _indented(text: object, width: object = 4, *_: object, **__: object) -> None:
    each = len(width) if isinstance(width, str) else width
    if isinstance(text, str) and isinstance(each, int):
        grows(len(text) + (text.count("\n") + 1) * each, text)


def _wrapped(text: object, width: object = 79, break_long: object = True,
             wrapstring: object = None, *_: object) -> None:
    if isinstance(text, str) and isinstance(width, int) and isinstance(wrapstring, str):
        breaks = len(text) // max(width, 1) + text.count("\n") + 1
        grows(len(text) + breaks * len(wrapstring), text)


def _filled(items: object, count: object, fill: object = None) -> None:
    if isinstance(count, int):
        refuse_text(count * max(size_of(fill), 1) if count > 0 else 0)


# Methods of str (and Markup) that can make much more text than they are given.
METHODS: dict[str, Callable[..., None]] = {
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


def _printed(value: object) -> str:
    """What a text filter makes of `value`: the value printed, unless that is too big."""
    if isinstance(value, str):
        return value
    refuse_text(size_of(value))
    return str(value)


# Filters that collect the items of what they are given (an iterator: e.g. the lazy result
# of map): counted while they take them.
_COLLECTING = frozenset({"join", "list", "sort", "unique", "reverse", "batch", "slice",
                         "groupby", "sum", "min", "max"})


def taken(items: Iterable[T], separator: str = "") -> list[T]:
    """The items of a collecting filter or of a join, counted while they are taken, so that
    a huge collection stops early."""
    taken: list[T] = []
    total = largest = 0
    for item in items:
        size = size_of(item)
        total += size + len(separator)
        largest = max(largest, size)
        if total - largest > limits().text_chars:
            refuse_text(total)
        taken.append(item)
    return taken


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if getattr(function, "jinja_pass_arg", None) else 0  # eval_ctx or environment

    @wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_time()
        value, rest = args[skip], args[skip + 1:]
        if name == "join":
            args = (*args[:skip], taken(value, str(kwargs.get("d", rest[0] if rest else ""))),
                    *rest)
        elif name in _COLLECTING and isinstance(value, Iterator):
            args = (*args[:skip], taken(value), *rest)
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
