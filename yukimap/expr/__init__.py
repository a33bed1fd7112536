"""A small, safe expression language for computed fields, e.g.

    expr: "round(Price * Qty * 1.21, 2)"
    expr: "upper(left(col('Customer name'), 3)) & '-' & Order"
    expr: "'Cash' if Payment == 'contant' else 'ElectronicTransfer'"

It is Python's expression syntax, parsed with `ast` and compiled into closures; only
literals, names, arithmetic, comparisons, `and`/`or`/`not`, `x if c else y`, `in` and the
functions in FUNCTIONS are allowed: no attributes, no subscripts, no imports, no loops.
Numbers are Decimal, never float: the literal 1.21 is Decimal("1.21"). A bare name is a
`let:` value if one has that name, else a column; `col("Order date")` reads a column whose
name is not a plain word. Column values are text; + - * / always mean numbers (a column is
read with the file's decimal mark, and a value that is not a number is an error), and `&`
joins text, as in Excel.

Whatever a mapping or a row holds, an expression ends in bounded time and memory (bounds in
yukimap/limits.py): its text, nesting and parts are bounded when it compiles; numbers keep
at most `number_digits` digits before the decimal mark and are exact in + - *; counts,
places and days are whole numbers in a range; texts stay under `text_chars`; regular
expressions run on RE2, which takes linear time. Every function has a signature in
FUNCTIONS, checked when the mapping loads. Anything that still goes wrong on a row is an
ExprError, a problem with that row's data.
"""

from yukimap.expr._compiler import Compiled, Expr, compile_expr, shorten
from yukimap.expr._functions import FUNCTIONS, Function, Param
from yukimap.expr._operators import OPERATORS
from yukimap.expr._regex import RE2_HINT, Match, Regex, compile_regex
from yukimap.expr._values import CONTEXT, PRECISION, Cell, Env, ExprError, Value, numbers_context

__all__ = [
    "CONTEXT", "FUNCTIONS", "PRECISION", "RE2_HINT", "Cell", "Compiled", "Env", "Expr",
    "ExprError", "Function", "Match", "OPERATORS", "Param", "Regex", "Value", "compile_expr",
    "compile_regex",
    "numbers_context", "shorten",
]
