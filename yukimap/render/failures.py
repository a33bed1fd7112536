"""Every way a template fails while it loads or renders, as a MappingError located at the
template's file and line, with its cause and a hint: the user's to fix, not a bug."""

from __future__ import annotations

from jinja2.exceptions import (
    SecurityError,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)

from yukimap.errors import MappingError, Problem, Where
from yukimap.i18n import N_, tr
from yukimap.render.sizes import TEXT_HINT
from yukimap.templatefiles import TemplateLimit

SANDBOX_HINT = N_("a template can use the documents' values, loops and filters,"
                  " not Python's internals")
# What a user's own template can raise while it renders: the user's to fix, not a bug.
USER_ERRORS: tuple[type[Exception], ...] = (
    TemplateError, TemplateLimit, ArithmeticError, TypeError, ValueError, LookupError,
    AttributeError, AssertionError, RecursionError, MemoryError)  # e.g. 7|dictsort, truncate(0)


class OverBound(MappingError):
    """A template went over one of its bounds (`TemplateLimit`) while it rendered: a bound
    the whole file reaches as its slices do, at the same document and line."""


def located(exc: BaseException, template: str) -> MappingError:
    """A failure of the template `template` while rendering, at the template line where it
    happened (an included template's, when it happened there)."""
    if isinstance(exc, TemplateSyntaxError):
        path = exc.filename or template
        return MappingError(tr("template {path} has a syntax error", path=path), problems=[
            Problem(exc.message or tr("syntax error"), Where(file=path, line=exc.lineno))])
    path, line = template, None
    trace = exc.__traceback__
    while trace is not None:  # Jinja rewrites its frames to the template's file and line
        if "__jinja_exception__" in trace.tb_frame.f_globals:
            path, line = trace.tb_frame.f_code.co_filename, trace.tb_lineno
        trace = trace.tb_next
    cause, hint = _explained(exc)
    kind = OverBound if isinstance(exc, TemplateLimit) else MappingError
    return kind(tr("template {path} cannot be rendered", path=path),
                problems=[Problem(cause, Where(file=path, line=line), hint=hint)])


def _explained(exc: BaseException) -> tuple[str, str | None]:
    if isinstance(exc, MappingError):
        return exc.message, exc.hint
    if isinstance(exc, TemplateNotFound):
        return (tr("includes {name}, which is not in the template's folder", name=exc.name),
                tr("include templates from the template's own folder, by name"))
    if isinstance(exc, SecurityError):
        return exc.message or str(exc), tr(SANDBOX_HINT)
    if isinstance(exc, UndefinedError):
        return (exc.message or str(exc),
                tr("the template uses a name that the document does not have; check its"
                   " spelling"))
    if isinstance(exc, RecursionError):
        return (tr("a macro calls itself too deeply (without end?)"),
                tr("make sure the macro stops calling itself"))
    if isinstance(exc, MemoryError):
        return tr("needs more memory than there is"), tr(TEXT_HINT)
    return (str(exc) or type(exc).__name__,
            tr("check the expressions on this line of the template"))
