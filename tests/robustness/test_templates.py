"""A user's own template (`template:` in a mapping): every way it can be wrong is the user's to
fix (exit 1, naming the template file and line), and no template can hang yukimap or exhaust
its memory: rendering time, output size, recursion and the values a template computes are
bounded. Each case runs `yukimap convert ... --dry-run`: in a real subprocess (`bounded`)
where a regression would hang or fill memory, in-process through the same command line
(`here`) where only the message is at stake, to keep the suite fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.robustness.conftest import PEAK_LIMIT_MB, Bounded, Outcome, Write, _cap_memory, yuki
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import MAPPING

ROWS = "Order;Date;Customer;Qty;Item;Price;VAT\n1001;2024-11-01;Jan;2;Mok;12,50;21\n"
HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<SalesInvoices xmlns="urn:xmlns:'
        'http://www.theyukicompany.com:salesinvoices">\n')


def convert(run: Bounded, write: Write, template: str | bytes | None, *,
            name: str = "t.xml.j2", env: dict[str, str] | None = None,
            seconds: float = 20) -> Outcome:
    """Convert one order with `template` (written as `name`; None: name only) as the mapping's
    own template, expecting exit 1."""
    if template is not None:
        write(name, template)
    write("m.yaml", MAPPING + f"template: {name}\n")
    write("in.csv", ROWS)
    return run("convert", "in.csv", "-m", "m.yaml", "--dry-run", codes=(1,), env=env,
                   seconds=seconds)


def located(outcome: Outcome, tmp_path: Path, line: int, cause: str, hint: str,
            name: str = "t.xml.j2") -> None:
    assert outcome.stderr.splitlines() == [
        f"error: template {tmp_path / name} cannot be rendered",
        "",
        f"error: {name}:{line}:1 {cause}",
        f"  fix: {hint}",
    ]


def raise_it(variable: str) -> str:
    return f"if the file is right, raise the limit: set {variable} to a higher number" \
        " (README: Limits)"


# --- the file itself ------------------------------------------------------------------------

def refused(outcome: Outcome, tmp_path: Path, problem: str, hint: str) -> None:
    """The mapping's own error, at its template: key (line 19 of m.yaml)."""
    assert outcome.stderr.splitlines()[-2:] == [
        (f"error: m.yaml:19:11 template: template file {tmp_path / 't.xml.j2'} {problem}"
         " (got 't.xml.j2')"), f"  fix: {hint}"]


PATH_HINT = "give the path of the template file, relative to the mapping file"


def test_a_folder(here: Bounded, write: Write, tmp_path: Path) -> None:
    (tmp_path / "t.xml.j2").mkdir()
    refused(convert(here, write, None), tmp_path, "is a folder, not a file", PATH_HINT)


def test_not_a_regular_file(bounded: Bounded, write: Write, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "t.xml.j2")  # opening it would wait for a writer forever
    refused(convert(bounded, write, None), tmp_path, "is not a regular file", PATH_HINT)


def test_not_utf8(here: Bounded, write: Write, tmp_path: Path) -> None:
    refused(convert(here, write, HEAD.encode() + b"<!-- caf\xe9 -->"), tmp_path,
            "is not UTF-8 text (byte 0xe9 at position 125)",
            "save it as UTF-8 (in a text editor: Save as, encoding UTF-8)")


def test_a_control_character_in_the_template(here: Bounded, write: Write,
                                              tmp_path: Path) -> None:
    refused(convert(here, write, HEAD + "\n\n<!-- \x00 -->"), tmp_path,
            "line 5 contains the control character U+0000, which a Yuki document cannot carry",
            "remove it from the template")


def test_over_the_size_limit(bounded: Bounded, write: Write, tmp_path: Path) -> None:
    outcome = convert(bounded, write, HEAD + "<!-- x -->\n" * 200,
                      env={"YUKIMAP_MAX_TEMPLATE_KB": "1"})
    refused(outcome, tmp_path, "is over yukimap's limit of 1 KB (3 KB)",
            raise_it("YUKIMAP_MAX_TEMPLATE_KB"))


def test_a_file_that_is_no_template_of_a_yuki_document(here: Bounded, write: Write) -> None:
    write("m.yaml", MAPPING + "template: /etc/passwd\n")
    write("in.csv", ROWS)
    outcome = here("convert", "in.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert outcome.stderr.splitlines() == [
        "error: in.csv: 1 problem in the rendered documents",
        "",
        ("error: is not a Yuki document: the template writes no <SalesInvoices> element"
         " (line 1 of the document)"),
        "  in in.csv",
        "    (whole file)",
        "  fix: check the mapping's template: /etc/passwd",
    ]


@pytest.mark.parametrize("text", ["hello", "a1b", "  \n"])  # libxml2 passed the last two
def test_text_that_is_not_xml(text: str, here: Bounded, write: Write) -> None:
    outcome = convert(here, write, text)
    assert outcome.stderr.splitlines()[2] == (
        "error: is not a Yuki document: the template writes no <SalesInvoices> element"
        " (line 1 of the document)")


def test_a_tag_left_open_is_named_at_its_line(here: Bounded, write: Write,
                                              tmp_path: Path) -> None:
    outcome = convert(here, write, HEAD + "<SalesInvoice>\n</SalesInvoices>\n")
    assert outcome.stderr.splitlines() == [
        "error: in.csv: 1 problem in the rendered documents",
        "",
        ("error: breaks Yuki's schema (line 4 of the document): Opening and ending tag"
         " mismatch: SalesInvoice line 3 and SalesInvoices, line 4, column 17"),
        "  in in.csv",
        "    (whole file)",
        f"  fix: check the mapping's template: {tmp_path / 't.xml.j2'}",
    ]


GOOD = HEAD + """{% set ns = namespace(lines=0) %}
{% macro element(name, value) %}{{ el(name, value) }}{% endmacro %}
{% for invoice in documents %}
  <SalesInvoice>{{ element("Reference", invoice.Reference ~ "-" ~ "%s" % "A") }}
    {{ element("Subject", ("Order %s, 1234567 {}" % invoice.Reference).format("x")) }}
    {{ el("Remarks", ["a", "b"]|join(", ")|replace("a", "A")|center(7)) }}
    <InvoiceLines>{% for line in invoice.lines %}{% set ns.lines = ns.lines + 1 %}
      <InvoiceLine>{{ line.xml }}</InvoiceLine>{% endfor %}
    </InvoiceLines>
  </SalesInvoice>
{% endfor %}
</SalesInvoices><!-- {{ ns.lines * 2 ** 3 }} {{ range(3)|list|length }} -->
"""


def test_a_good_template_of_ones_own_renders_as_before(here: Bounded, write: Write) -> None:
    write("t.xml.j2", GOOD)
    write("m.yaml", MAPPING + "template: t.xml.j2\n")
    write("in.csv", ROWS + "1001;;;1;Thee;4,50;9\n")
    outcome = here("convert", "in.csv", "-m", "m.yaml", codes=(0,))
    assert outcome.stdout.splitlines()[2:5] == [
        "  <SalesInvoice><Reference>1001-A</Reference>",
        "    <Subject>Order 1001, 1234567 x</Subject>",
        "    <Remarks>  A, b </Remarks>",
    ]
    assert outcome.stdout.count("<InvoiceLine>") == 2
    assert outcome.stdout.endswith("</SalesInvoices><!-- 16 3 -->\n")


# --- syntax, at load time and in included templates ----------------------------------------

@pytest.mark.parametrize(("name", "line", "tags", "innermost"), [
    ("t.xml.j2", 4, "'endfor' or 'else'", "for"),
    ("part.j2", 2, "'elif' or 'else' or 'endif'", "if"),  # included: was a traceback, exit 3
])
def test_a_mismatched_end_tag(name: str, line: int, tags: str, innermost: str,
                              here: Bounded, write: Write, tmp_path: Path) -> None:
    write("part.j2", "{% if 1 %}\n{% endfor %}")
    main = "{% for i in documents %}\n{% endif %}" if name == "t.xml.j2" else \
        '{% include "part.j2" %}'
    outcome = convert(here, write, HEAD + main)
    wrong = "endif" if name == "t.xml.j2" else "endfor"
    assert outcome.stderr.splitlines() == [
        f"error: template {tmp_path / name} has a syntax error",
        "",
        (f"error: {name}:{line}:1 Encountered unknown tag '{wrong}'. Jinja was looking for the"
         f" following tags: {tags}. The innermost block that needs to be closed is"
         f" '{innermost}'."),
    ]


def test_an_included_template_that_does_not_exist(here: Bounded, write: Write,
                                                  tmp_path: Path) -> None:
    located(convert(here, write, HEAD + '\n{% include "nothere.j2" %}'), tmp_path, 4,
            "includes nothere.j2, which is not in the template's folder",
            "include templates from the template's own folder, by name")


# --- rendering --------------------------------------------------------------------------------

SANDBOX_HINT = "a template can use the documents' values, loops and filters, not Python's internals"
EXPRESSION_HINT = "check the expressions on this line of the template"


@pytest.mark.parametrize(("body", "cause", "hint"), [
    ("{{ documents.__class__ }}",
     "access to attribute '__class__' of 'generator' object is unsafe.", SANDBOX_HINT),
    ("{{ ''.expandtabs(1000000) }}",
     "access to attribute 'expandtabs' of 'str' object is unsafe.", SANDBOX_HINT),
    ("{% set l = [] %}{{ l.append(1) }}",
     "access to attribute 'append' of 'list' object is unsafe.", SANDBOX_HINT),
    ("{{ nothing }}", "'nothing' is undefined",
     "the template uses a name that the document does not have; check its spelling"),
    # a document's lines: their data (blocks, rows) at once, anything else as Jinja says it
    ("{% for i in documents %}{{ i.lines.rowz }}{% endfor %}",
     "'yukimap.render.nodes.Items object' has no attribute 'rowz'",
     "the template uses a name that the document does not have; check its spelling"),
    ("{% for i in documents %}{{ i.lines._part }}{% endfor %}",
     "access to attribute '_part' of 'Items' object is unsafe.", SANDBOX_HINT),
    ("{{ 1 / 0 }}", "division by zero", EXPRESSION_HINT),
    ("{{ 'a' - 1 }}", "unsupported operand type(s) for -: 'str' and 'int'", EXPRESSION_HINT),
    ("{% for i in documents %}{{ el('Subject', 'a\\x01b') }}{% endfor %}",
     "contains the control character U+0001, which a Yuki document cannot carry",
     EXPRESSION_HINT),
])
def test_errors_while_rendering_name_the_line(body: str, cause: str, hint: str, here: Bounded,
                                              write: Write, tmp_path: Path) -> None:
    located(convert(here, write, HEAD + "\n" + body), tmp_path, 4, cause, hint)


def test_a_recursive_macro(bounded: Bounded, write: Write, tmp_path: Path) -> None:
    outcome = convert(bounded, write, HEAD + "{% macro f(n) %}\n{{ f(n) }}{% endmacro %}{{ f(1) }}")
    located(outcome, tmp_path, 4, "a macro calls itself too deeply (without end?)",
            "make sure the macro stops calling itself")


TEXT_HINT = "build smaller values, or write the pieces to the document one by one"


TEXT = " characters is over yukimap's limit of 1,000,000 characters for one value a template"


@pytest.mark.parametrize(("body", "cause"), [
    ("{{ 'a' * 10**10 }}", f"a text of 10,000,000,000{TEXT} computes"),
    ("{{ ['a'] * 10**9 }}", f"a text of 5,000,000,000{TEXT} computes"),
    ("{{ 10 ** (10 ** 10) }}", ("a number of 10,000,000,000 digits is over yukimap's limit of"
                                " 4,300 digits for one value a template computes")),
    ("{{ 'ab'|replace('', 'x' * 999999) }}", f"a text of 2,999,999{TEXT} computes"),
    ("{{ 'ab'.center(10**9) }}", f"a text of 1,000,000,000{TEXT} computes"),
    ("{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s|length }}{% endmacro %}{{ d('ab', 60) }}",
     f"a text of 2,097,152{TEXT} computes"),
    ("{{ range(100000)|map('replace', '', 'y' * 400000)|list|length }}",  # taken lazily
     f"a text of 2,400,003{TEXT} computes"),
    (("{% for x in range(100000)|map('replace', '', 'y' * 400000) %}{{ loop.length }}"
      "{% endfor %}"), f"a text of 2,400,003{TEXT} computes"),
    ("{{ '%1000000000d' % 1 }}", ("a format with a width of a million or more, or a width"
                                 " taken from a value, is over yukimap's limit for a template")),
])
def test_values_a_template_computes_are_bounded_before_they_are_made(
        body: str, cause: str, bounded: Bounded, write: Write, tmp_path: Path) -> None:
    outcome = convert(bounded, write, HEAD + "\n" + body, seconds=10)
    located(outcome, tmp_path, 4, cause, TEXT_HINT)
    assert outcome.peak_mb < 300


def test_a_range_too_big(bounded: Bounded, write: Write, tmp_path: Path) -> None:
    located(convert(bounded, write, HEAD + "\n{% for i in range(10**9) %}x{% endfor %}"),
            tmp_path, 4, "range(1000000000) is over yukimap's limit of 100,000 numbers",
            "loop over the documents and their lines instead")


def test_rendering_time_is_bounded_inside_loops(bounded: Bounded, write: Write,
                                                tmp_path: Path) -> None:
    loops = ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
             "{% endfor %}")
    outcome = convert(bounded, write, HEAD + "\n" + loops, seconds=10,
                      env={"YUKIMAP_MAX_RENDER_SECONDS": "1"})
    located(outcome, tmp_path, 4, "rendering is over yukimap's limit of 1 seconds"
            " (stopped after 1 seconds)", raise_it("YUKIMAP_MAX_RENDER_SECONDS"))
    assert outcome.seconds < 8


@pytest.mark.parametrize("body", [
    "{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",  # counted while streaming
    ("{% macro m() %}{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}"  # in memory
     "{% endmacro %}{{ m() }}"),
])
def test_output_size_is_bounded_where_it_is_written(body: str, bounded: Bounded, write: Write,
                                                    tmp_path: Path) -> None:
    outcome = convert(bounded, write, HEAD + "\n" + body, seconds=10,
                      env={"YUKIMAP_MAX_OUTPUT_MB": "1"})
    located(outcome, tmp_path, 4, "the rendered document is over yukimap's limit of 1 MB"
            " (more than 1 MB)", raise_it("YUKIMAP_MAX_OUTPUT_MB"))
    assert outcome.peak_mb < 300


def test_send_refuses_a_broken_template_before_anything_is_sent(
        bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    write("t.xml.j2", HEAD + "\n{{ 1 / 0 }}")
    write("m.yaml", MAPPING + "template: t.xml.j2\n")
    write("in.csv", ROWS)
    outcome = bounded("send", "in.csv", "-m", "m.yaml", "-a", ADM_KORENAAR,
                      env=yuki(sandbox), codes=(1,))
    located(outcome, tmp_path, 4, "division by zero", EXPRESSION_HINT)
    assert sandbox.count("ProcessSalesInvoices") == 0


# --- any expression --------------------------------------------------------------------------

CHILD = """
import json, resource, sys
from pathlib import Path
from yukimap.render import USER_ERRORS, Deadline, environment, running
env = environment(Path(sys.argv[1]))
bugs = []
for expr in json.loads(sys.stdin.read()):
    try:
        with running(Deadline()):
            "".join(env.from_string("{{ " + expr + " }}").generate({}))
    except USER_ERRORS:
        pass
    except Exception as exc:
        bugs.append(f"{expr}: {type(exc).__name__}: {exc}"[:500])
print(json.dumps({"bugs": bugs, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                  / 1024}))
"""
ATOMS = st.sampled_from(["0", "2", "7", "10**6", "10**9", "-1", "'x'", "'ab'", "''", "'%s'",
                         "'{}'", "'\\\\t'", "['a']", "[1, 2]", "range(10)", "range(100000)",
                         "'x' * 999999"])
FILTERS = ["list", "join", "join(#)", "replace(#, #)", "center(#)", "indent(#)", "wordwrap(#)",
           "batch(#, #)", "slice(#, #)", "sum", "unique|list", "sort", "reverse", "string",
           "tojson", "length", "format(#)", "map('replace', #, #)|list", "first", "last", "int",
           "truncate(#)", "pprint", "xmlattr", "dictsort", "e"]
METHODS = ["center(#)", "ljust(#)", "zfill(#)", "replace(#, #)", "join(#)", "format(#)",
           "split(#)", "count(#)"]


def _filled(pattern: str, parts: list[str]) -> str:
    for part in parts:
        pattern = pattern.replace("#", part, 1)
    return pattern


def _grown(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    args = st.lists(inner, min_size=2, max_size=2)
    return st.one_of(
        st.tuples(inner, st.sampled_from(["*", "**", "+", "~", "%", "-", "//"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(FILTERS), args).map(
            lambda t: f"({t[0]})|{_filled(t[1], t[2])}"),
        st.tuples(inner, st.sampled_from(METHODS), args).map(
            lambda t: f"({t[0]}).{_filled(t[1], t[2])}"))


EXPRESSIONS = st.recursive(ATOMS, _grown, max_leaves=8)
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


@settings(max_examples=200 if FUZZ else 2)
@given(st.lists(EXPRESSIONS, min_size=40, max_size=40))
def test_any_expression_ends_as_a_value_or_a_users_error_within_bounds(
        expressions: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, folder], input=json.dumps(expressions),
            capture_output=True, text=True, timeout=40 * 3, preexec_fn=_cap_memory, check=False,
            env={**os.environ, "YUKIMAP_MAX_RENDER_SECONDS": "2"})
    assert child.returncode == 0, child.stderr[-2000:]
    found = json.loads(child.stdout)
    assert found["bugs"] == []
    assert found["peak_mb"] < PEAK_LIMIT_MB
