"""lxml decides (fast, streaming, in a second process for big documents) and xmlschema
explains; both must give the same verdict on the same documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xmlschema

from tests.conftest import REPO, build_files
from yukimap import pipeline
from yukimap.errors import DocumentError
from yukimap.output import check_documents, document_text
from yukimap.pipeline import convert_file
from yukimap.resources import schema_path
from yukimap.validate import streaming
from yukimap.validate import xsd as xsd_check
from yukimap.validate.streaming import Streaming

SALES = ('<SalesInvoices xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoices"'
         ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{}</SalesInvoices>')
LINE = ("<InvoiceLines><InvoiceLine><ProductQuantity>2</ProductQuantity><Product>"
        "<Description>Mok</Description>{}</Product></InvoiceLine></InvoiceLines>")
JOURNAL = ('<Journal xmlns="urn:xmlns:http://www.theyukicompany.com:journal">{}'
           '<JournalType>GeneralJournal</JournalType>{}</Journal>')
ENTRY = ("<JournalEntry><EntryDate>{}</EntryDate><GLAccount>8000</GLAccount>"
         "<Amount>{}</Amount></JournalEntry>")

CASES = {
    "sales valid": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Reference>1</Reference><Date>2024-01-31</Date>"
        + LINE.format("<SalesPrice>14.88</SalesPrice><VATType>1</VATType>") + "</SalesInvoice>")),
    "sales empty price": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice>" + LINE.format("<Category xsi:nil=\"true\" /><SalesPrice />")
        + "</SalesInvoice>")),
    "sales bad date": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Date>2024-13-01</Date>" + LINE.format("") + "</SalesInvoice>")),
    "sales wrong order": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Subject>x</Subject><Reference>1</Reference>" + LINE.format("")
        + "</SalesInvoice>")),
    "sales unknown element": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Colour>red</Colour>" + LINE.format("") + "</SalesInvoice>")),
    "sales no lines": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Reference>1</Reference></SalesInvoice>")),
    "sales too many digits": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><InvoiceLines><InvoiceLine><LineAmount>1.234</LineAmount></InvoiceLine>"
        "</InvoiceLines></SalesInvoice>")),
    "sales bad gender": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice><Contact><Gender>male</Gender></Contact>" + LINE.format("")
        + "</SalesInvoice>")),
    "sales bad category": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice>" + LINE.format("<Category>12</Category>") + "</SalesInvoice>")),
    "sales percentage above 100": ("SalesInvoices.xsd", "SalesInvoices", SALES.format(
        "<SalesInvoice>" + LINE.format("<VATPercentage>121</VATPercentage>") + "</SalesInvoice>")),
    "sales wrong namespace": ("SalesInvoices.xsd", "SalesInvoices",
                              SALES.replace(":salesinvoices", ":salesinvoice").format("")),
    "journal valid": ("Journal.xsd", "Journal", JOURNAL.format(
        "<AdministrationID>x</AdministrationID>", ENTRY.format("2024-01-31", "-1.50"))),
    "journal both administrations": ("Journal.xsd", "Journal", JOURNAL.format(
        "<AdministrationID>x</AdministrationID><AdministrationCoCNumber>1</AdministrationCoCNumber>",
        ENTRY.format("2024-01-31", "1"))),
    "journal no administration": ("Journal.xsd", "Journal", JOURNAL.format(
        "", ENTRY.format("2024-01-31", "1"))),
    "journal no entries": ("Journal.xsd", "Journal", JOURNAL.format(
        "<AdministrationID>x</AdministrationID>", "")),
    "journal amount 3 decimals": ("Journal.xsd", "Journal", JOURNAL.format(
        "<AdministrationID>x</AdministrationID>", ENTRY.format("2024-01-31", "1.005"))),
    "journal bad date": ("Journal.xsd", "Journal", JOURNAL.format(
        "<AdministrationID>x</AdministrationID>", ENTRY.format("31-01-2024", "1"))),
}


@pytest.mark.parametrize("name", CASES)
def test_lxml_and_xmlschema_agree(name: str) -> None:
    xsd, element, xml = CASES[name]
    path = schema_path(xsd)
    check = Streaming(str(path), element)
    check.feed(xml.encode())
    lxml_valid = check.close() is None
    xmlschema_valid = not list(xmlschema.XMLSchema(str(path)).iter_errors(xml))
    assert lxml_valid == xmlschema_valid
    assert lxml_valid == name.endswith(("valid", "empty price"))


def _in_processes(monkeypatch: pytest.MonkeyPatch, how: str = "thread") -> None:
    """Every document is big: checked beside the rendering, by libxml2's own validator in a
    thread ("thread"), or, as where that validator cannot be reached, by processes of
    their own ("process")."""
    monkeypatch.setattr(pipeline, "PROCESS_FROM_ITEMS", 1)  # started early
    monkeypatch.setattr(xsd_check, "PROCESS_FROM_ITEMS", 1)  # used
    if how == "process":
        monkeypatch.setattr(xsd_check, "pushed", lambda xsd, root: None)
        monkeypatch.setattr(xsd_check, "reachable", lambda xsd, root: False)


BESIDE = ["thread", "process"]


@pytest.mark.parametrize("how", BESIDE)
def test_a_big_document_is_validated_beside_the_rendering(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _in_processes(monkeypatch, how)
    closed: list[bool] = []
    close = streaming.Pushed.close
    monkeypatch.setattr(streaming.Pushed, "close", lambda self: closed.append(close(self))
                        or closed[-1])
    result = convert_file(REPO / "examples/webshop-orders.csv", "webshop-orders")
    assert "<Reference>2024-1005</Reference>" in document_text(result)
    peak = check_documents(result).validator_peak_kb
    if how == "thread":
        # written, then checked, each time by two validators (the invoices written whole
        # are taken apart between them): all valid
        assert closed == [True] * 4 and peak == 0
    else:
        assert closed == [] and peak > 0  # a process's, so one ran


@pytest.mark.parametrize("how", BESIDE)
def test_the_validator_beside_finds_failures_and_xmlschema_explains_them(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _in_processes(monkeypatch, how)
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntarget: sales_invoices\nsource: {delimiter: ';'}\n"
        "invoice: {Reference: {column: Order}}\n"
        "lines: {Product: {Description: {column: Item}, VATType: 1,"
        " VATPercentage: {column: Pct}}}\n")
    rows = "".join(f"{n};item {n};{150 if n == 7 else 21}\n" for n in range(1, 30))
    (tmp_path / "in.csv").write_text("Order;Item;Pct\n" + rows)
    result = convert_file(tmp_path / "in.csv", tmp_path / "m.yaml")
    with pytest.raises(DocumentError) as info:
        check_documents(result)
    [problem] = [p for p in info.value.problems if p.is_error]
    assert problem.cause.startswith("breaks Yuki's schema at VATPercentage")
    assert problem.where.rows == (8,) and problem.value == "150"


JOURNAL_MAPPING = """
version: 1
target: journal
source: {delimiter: ";", decimal_mark: ","}
journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, DocumentSubject: Test,
          JournalType: GeneralJournal}
entries:
  - {EntryDate: {column: Date}, GLAccount: "1100", Amount: {column: Amount},
     Description: {column: Text}}
  - {EntryDate: {column: Date}, GLAccount: "8000", Amount: {column: Amount, negate: true},
     Description: {column: Text}}
"""


def _journal(tmp_path: Path, texts: list[str]) -> Path:
    rows = "".join(f"2024-11-01;{n},00;{text}\n" for n, text in enumerate(texts, start=1))
    files = build_files(tmp_path, {"in.csv": "Date;Amount;Text\n" + rows,
                                   "m.yaml": JOURNAL_MAPPING})
    return files["in.csv"]


def _split_small(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    from yukimap.render import nodes

    _in_processes(monkeypatch, how)
    monkeypatch.setattr(nodes, "BLOCK", 3)  # many blocks, alternating between validators
    monkeypatch.setattr(nodes, "CHUNK", 4)


@pytest.mark.parametrize("piece", ["", "\x00", "\x00\x00", "a\x00", "\x00a", "<a>é</a>",
                                   "a\x00b\x00\x00c", "\x00" + "<b>ü€</b>" * 999 + "\x00"])
def test_the_writer_finds_the_block_marks_where_a_split_would(piece: str) -> None:
    from yukimap.output import _between_marks

    data = piece.encode("utf-8")
    assert [data[a:b].decode("utf-8") for a, b in _between_marks(data)] == piece.split("\x00")


@pytest.mark.parametrize("how", BESIDE)
def test_split_validation_writes_the_same_document(how: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    source = _journal(tmp_path, [f"regel {n}" for n in range(40)])
    plain = document_text(convert_file(source, tmp_path / "m.yaml"))
    _split_small(monkeypatch, how)
    split = convert_file(source, tmp_path / "m.yaml")
    assert document_text(split) == plain
    assert "\x00" not in document_text(split) and plain.count("<JournalEntry>") == 80


@pytest.mark.parametrize("how", BESIDE)
@pytest.mark.parametrize("bad_row", [2, 5, 40])  # in the first, the second and the last block
def test_split_validation_catches_a_bad_entry_in_any_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_row: int, how: str) -> None:
    strict = tmp_path / "xsd"
    strict.mkdir()
    text = schema_path("Journal.xsd").read_text()
    strict.joinpath("Journal.xsd").write_text(text.replace(
        '<xs:element name="Description" type="xs:string" minOccurs="0"/>',
        '<xs:element name="Description" minOccurs="0"><xs:simpleType><xs:restriction'
        ' base="xs:string"><xs:maxLength value="10"/></xs:restriction></xs:simpleType>'
        '</xs:element>'))
    monkeypatch.setenv("YUKIMAP_SCHEMAS", str(strict))
    texts = ["kort"] * 40
    texts[bad_row - 2] = "veel te lange omschrijving"
    _split_small(monkeypatch, how)
    result = convert_file(_journal(tmp_path, texts), tmp_path / "m.yaml")
    with pytest.raises(DocumentError) as info:
        check_documents(result)
    assert {p.where.rows for p in info.value.problems} == {(bad_row,)}
    assert all("Description" in p.cause for p in info.value.problems)


SALES_MAPPING = """
version: 1
target: sales_invoices
source: {delimiter: ";"}
group_by: Order
invoice: {Reference: {column: Order}}
lines: {Product: {Description: {column: Item}, SalesPrice: 1, VATType: 1,
                  VATPercentage: {column: Pct}}}
"""


def _sales(tmp_path: Path, percentages: list[int]) -> Path:
    """An invoice of two lines per percentage (the second's: 21)."""
    rows = "".join(f"{n};item {n};{pct}\n{n};item {n}b;21\n"
                   for n, pct in enumerate(percentages, start=1))
    files = build_files(tmp_path, {"in.csv": "Order;Item;Pct\n" + rows, "m.yaml": SALES_MAPPING})
    return files["in.csv"]


def _split_invoices(monkeypatch: pytest.MonkeyPatch, how: str) -> list[list[bytes]]:
    """Every document big, the invoices written whole two a piece; what each validator
    was fed."""
    from yukimap.render import nodes

    _in_processes(monkeypatch, how)
    monkeypatch.setattr(nodes, "_TOGETHER", 2)
    fed: list[list[bytes]] = []
    made = xsd_check.XsdCheck.__init__

    def init(self: xsd_check.XsdCheck, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        seen: list[bytes] = []
        fed.append(seen)
        feed = self.feed

        def recorded(data: bytes, start: int = 0, end: int | None = None) -> None:
            seen.append(data[start:end])
            feed(data, start, end)

        self.feed = recorded  # type: ignore[method-assign]

    monkeypatch.setattr(xsd_check.XsdCheck, "__init__", init)
    return fed


@pytest.mark.parametrize("how", BESIDE)
def test_invoices_written_whole_are_taken_apart_by_two_validators(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _sales(tmp_path, [21] * 15)
    plain = document_text(convert_file(source, tmp_path / "m.yaml"))
    fed = _split_invoices(monkeypatch, how)
    split = convert_file(source, tmp_path / "m.yaml")
    check_documents(split)
    assert document_text(split) == plain and plain.count("<SalesInvoice>") == 15
    first, second = (b"".join(pieces).decode() for pieces in fed[:2])
    # each a whole document: its head and tail, the first piece, and alternate pieces after
    # (eight pieces: the last of one invoice)
    assert first.count("<SalesInvoice>") == 2 + 7 and second.count("<SalesInvoice>") == 2 + 6
    for each in (first, second):
        assert each.startswith("<?xml") and each.endswith("</SalesInvoices>\n")
        assert "\x00" not in each and "<Reference>1</Reference>" in each


@pytest.mark.parametrize("how", BESIDE)
@pytest.mark.parametrize("bad", [1, 4, 15])  # in the first, a middle and the last piece
def test_split_validation_catches_a_bad_invoice_in_any_piece(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: int, how: str) -> None:
    percentages = [21] * 15
    percentages[bad - 1] = 150
    _split_invoices(monkeypatch, how)
    result = convert_file(_sales(tmp_path, percentages), tmp_path / "m.yaml")
    with pytest.raises(DocumentError) as info:
        check_documents(result)
    [problem] = [p for p in info.value.problems if p.is_error]
    assert problem.cause.startswith("breaks Yuki's schema at VATPercentage")
    assert problem.where.rows == (2 * bad,) and problem.value == "150"


def test_a_template_whose_invoices_are_not_whole_elements_is_checked_by_one_validator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = (REPO / "templates/sales_invoices.xml.j2").read_text()
    # the same loop, but each invoice's text closes the element the one before opened
    own = shipped.replace("  <SalesInvoice>{{ invoice.xml }}",
                          "  </SalesInvoice>\n  <SalesInvoice>{{ invoice.xml }}")
    own = own.replace("{% for invoice in documents %}",
                      "  <SalesInvoice>\n{% for invoice in documents %}")
    own = own.replace("    </InvoiceLines>\n  </SalesInvoice>\n{% endfor %}",
                      "    </InvoiceLines>\n{% endfor %}\n  </SalesInvoice>")
    assert own.count("SalesInvoice>") == shipped.count("SalesInvoice>") + 2
    source = _sales(tmp_path, [21] * 5)
    build_files(tmp_path, {"t.xml.j2": own, "m.yaml": SALES_MAPPING + "template: t.xml.j2\n"})
    fed = _split_invoices(monkeypatch, "thread")
    result = convert_file(source, tmp_path / "m.yaml")
    with pytest.raises(DocumentError) as info:  # an empty invoice first, then the five
        check_documents(result)
    [problem] = [p for p in info.value.problems if p.is_error]
    assert "SalesInvoice" in problem.cause
    assert len(fed) == 1 and b"\x00" not in b"".join(fed[0])
    assert b"".join(fed[0]).decode().count("<SalesInvoice>") == 6


# --- the validator process: libxml2's streaming validator decides, Streaming words -------

VALID_JOURNAL = CASES["journal valid"][2]
EDGES = {
    "nothing": "",
    "a declaration only": '<?xml version="1.0" encoding="utf-8"?>\n',
    "a comment only": "<!-- x -->",
    "text": "hello",
    "white space": "  \n",
    "an element the schema does not declare": "<Foo/>",
    "an inner element as the root": JOURNAL.split(">")[0].replace("Journal", "JournalEntry")
                                    + "/>",
    "not well-formed": VALID_JOURNAL.replace("</Amount>", "</Amout>"),
    "a second root": VALID_JOURNAL + "<Journal/>",
    "an entity declared": ('<!DOCTYPE Journal [<!ENTITY e "x">]>'
                           + VALID_JOURNAL.replace("GeneralJournal", "General&e;")),
    "an undeclared entity": VALID_JOURNAL.replace("<AdministrationID>x", "<AdministrationID>&e;"),
    "an external entity": ('<!DOCTYPE Journal [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
                           + VALID_JOURNAL.replace("<AdministrationID>x",
                                                   "<AdministrationID>&e;")),
    "an external DTD": ('<!DOCTYPE Journal SYSTEM "http://127.0.0.1:9/journal.dtd">'
                        + VALID_JOURNAL),
    "a valid document with a comment and a declaration": (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- made by hand -->\n' + VALID_JOURNAL),
    "another encoding": ('<?xml version="1.0" encoding="iso-8859-1"?>'
                         + VALID_JOURNAL.replace("<AdministrationID>x", "<AdministrationID>\xe9")),
}
ROOTS = {"Journal.xsd": "Journal", "SalesInvoices.xsd": "SalesInvoices"}
ALL = {name: (xsd, root, xml) for name, (xsd, root, xml) in CASES.items()} | {
    name: ("Journal.xsd", "Journal", xml) for name, xml in EDGES.items()}


def _written(tmp_path: Path, xml: str) -> Path:
    path = tmp_path / "doc.xml"
    encoding = "iso-8859-1" if 'encoding="iso-8859-1"' in xml else "utf-8"
    path.write_bytes(xml.encode(encoding))
    return path


# Where libxml2's streaming validator is stricter than Streaming (it refuses an entity it
# does not load), its "invalid" is only a reason to ask Streaming, whose verdict stands.
STRICTER = {"an external entity"}


def _fast(xsd: str, path: Path, piece: int = 1 << 20) -> bool:
    """libxml2's own validator's verdict on the document, fed in pieces of `piece` bytes."""
    data = path.read_bytes()
    check = streaming.pushed(str(schema_path(xsd)), ROOTS[xsd])
    assert check is not None
    for at in range(0, len(data), piece):
        check.feed(data[at:at + piece])
    return check.close()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("piece", [1 << 20, 5])
def test_the_fast_validator_passes_only_what_streaming_passes(
        name: str, piece: int, tmp_path: Path) -> None:
    """However the document is cut into pieces."""
    xsd, root, xml = ALL[name]
    path = _written(tmp_path, xml)
    passes = streaming.verdict_of_file(str(path), str(schema_path(xsd)), root) is None
    assert _fast(xsd, path, piece) is (passes and name not in STRICTER)


@pytest.mark.parametrize("name", ALL)
def test_a_call_s_text_gets_streaming_s_verdict_decided_by_the_fast_validator(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `send` checks each call's text with: libxml2's own validator decides, and only
    what it does not pass is read again by Streaming, whose verdict (and words) stand."""
    xsd, root, xml = ALL[name]
    data = _written(tmp_path, xml).read_bytes()
    wanted = streaming.verdict_of_file(str(tmp_path / "doc.xml"), str(schema_path(xsd)), root)
    asked: list[bytes] = []
    words = streaming.verdict
    monkeypatch.setattr(streaming, "verdict", lambda stream, *args: asked.append(
        stream.getvalue()) or words(stream, *args))
    assert streaming.decided(data, str(schema_path(xsd)), root) == wanted
    # Streaming reads only what the fast validator did not pass
    assert asked == ([] if wanted is None and name not in STRICTER else [data])


@pytest.mark.parametrize("how", BESIDE)
@pytest.mark.parametrize("name", ALL)
def test_a_validator_beside_answers_ok_or_asks_for_a_recheck(
        name: str, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yukimap.validate.xsd import RECHECK, XsdCheck

    xsd, root, xml = ALL[name]
    path = _written(tmp_path, xml)
    _in_processes(monkeypatch, how)
    check = XsdCheck(schema_path(xsd), root, in_process=False)
    check.feed(path.read_bytes())
    valid = (_fast(xsd, path) if how == "thread" else  # a process decides with Streaming
             streaming.verdict_of_file(str(path), str(schema_path(xsd)), root) is None)
    assert check.finish() == (None if valid else RECHECK)
    assert (check.peak_kb > 0) is (how == "process")


def test_an_abandoned_validator_in_a_thread_ends(tmp_path: Path) -> None:
    """A rendering that fails leaves its validator: the thread ends, whatever it was given."""
    from yukimap.validate.xsd import XsdCheck

    check = XsdCheck(schema_path("Journal.xsd"), "Journal", in_process=False)
    check.feed(VALID_JOURNAL.encode()[:40])
    check.abort()
    check._writer.join(timeout=10)
    assert not check._writer.is_alive()


def test_a_validator_process_that_stops_leaves_the_verdict_to_this_process(
        tmp_path: Path) -> None:
    """A validator process that ends without answering (here: its schema cannot be read)
    is no verdict: the written document is checked again (see output.render_validated)."""
    from yukimap.validate.xsd import RECHECK, XsdCheck

    check = XsdCheck(tmp_path / "missing.xsd", "Journal", in_process=False)
    check.feed(VALID_JOURNAL.encode())
    assert check.finish() == RECHECK


@pytest.mark.parametrize("name", ["journal valid", "not well-formed", "journal bad date"])
def test_the_validator_process_decides_with_streaming(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Where libxml2's own validator cannot be reached, a process decides with Streaming
    and answers one word."""
    xsd, root, xml = ALL[name]
    path = _written(tmp_path, xml)
    with open(path, "rb") as stream:
        monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": stream})())
        assert streaming.main([str(schema_path(xsd)), root]) == 0
    assert capsys.readouterr().out == ("ok\n" if name == "journal valid" else "invalid\n")


def test_a_schema_with_more_roots_than_the_documents_is_left_to_streaming(
        tmp_path: Path) -> None:
    """libxml2's own validator takes any global element of a schema as the root; where a
    schema (one of the user's, YUKIMAP_SCHEMAS) declares more than the document's root, or
    includes another schema, the document is left to Streaming (in a process of its own),
    which asks for the root by name."""
    text = schema_path("Journal.xsd").read_text()
    extra = tmp_path / "Journal.xsd"
    extra.write_text(text.replace('<xs:element name="Journal">',
                                  '<xs:element name="Other" type="xs:string"/>\n'
                                  '  <xs:element name="Journal">', 1))
    other = _written(tmp_path, '<Other xmlns="urn:xmlns:http://www.theyukicompany.com:journal">'
                               "x</Other>")
    assert streaming.pushed(str(extra), "Journal") is None
    assert streaming.verdict_of_file(str(other), str(extra), "Journal") is not None
    included = tmp_path / "Included.xsd"
    included.write_text(text.replace('<xs:element name="Journal">',
                                     '<xs:include schemaLocation="Journal.xsd"/>\n'
                                     '  <xs:element name="Journal">', 1))
    assert streaming.pushed(str(included), "Journal") is None
    assert streaming.pushed(str(schema_path("Journal.xsd")), "Journal") is not None


def test_a_document_that_is_not_xml_is_told_where_the_parser_stopped(tmp_path: Path) -> None:
    """With the schema plugged in, lxml says "no element found" (line 0) of a tag left open;
    the verdict people read names the tag and its line."""
    path = _written(tmp_path, VALID_JOURNAL.replace("><JournalType>", ">\n<JournalType>")
                    .replace("</Amount>", "</Amout>"))
    assert streaming.verdict_of_file(str(path), str(schema_path("Journal.xsd")), "Journal") == (
        2, "Opening and ending tag mismatch: Amount line 2 and Amout, line 2, column 137")


BROKEN_TEMPLATES = {
    "text": "hello",
    "white space": "  \n",
    "a tag left open": ('<?xml version="1.0" encoding="utf-8"?>\n<SalesInvoices xmlns="urn:xmlns:'
                        'http://www.theyukicompany.com:salesinvoices">\n<SalesInvoice>\n'
                        "</SalesInvoices>\n"),
}


@pytest.mark.parametrize("how", BESIDE)
@pytest.mark.parametrize("name", BROKEN_TEMPLATES)
def test_a_broken_template_is_told_alike_in_and_beside_the_rendering(
        name: str, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = build_files(tmp_path, {
        "t.xml.j2": BROKEN_TEMPLATES[name],
        "m.yaml": ("version: 1\ntarget: sales_invoices\nsource: {delimiter: ';'}\n"
                   "template: t.xml.j2\ninvoice: {Reference: {column: Order}}\n"
                   "lines: {Product: {Description: {column: Item}, VATType: 1}}\n"),
        "in.csv": "Order;Item\n1;mok\n2;kop\n"})

    def told() -> list[str]:
        result = convert_file(files["in.csv"], files["m.yaml"])
        with pytest.raises(DocumentError) as info:
            check_documents(result)
        return [f"{p.cause} | {p.where} | {p.hint}" for p in info.value.problems]

    in_process = told()
    _in_processes(monkeypatch, how)
    assert told() == in_process
    assert "of the document)" in in_process[0]


@pytest.mark.parametrize(("items", "reach", "expected"), [
    (1_999, True, ["lxml"]),  # small: lxml as it is rendered, no thread to start
    (2_000, True, ["thread"]),
    (49_999, False, ["lxml"]),  # a process's start-up is worth it only for big documents
    (50_000, False, ["process", "process"]),
    (50_000, True, ["thread", "thread"]),  # a big journal: two, each alternate blocks
])
def test_how_a_document_is_checked_follows_its_size(
        items: int, reach: bool, expected: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from yukimap.documents import JOURNAL as JOURNAL_TYPE

    if not reach:
        _in_processes(monkeypatch, "process")
        monkeypatch.setattr(xsd_check, "PROCESS_FROM_ITEMS", 50_000)
    checks = xsd_check.checks_for(schema_path("Journal.xsd"), JOURNAL_TYPE, items)
    try:
        found = ["lxml" if c._local is not None else "thread" if c._pushed is not None
                 else "process" for c in checks]
    finally:
        for check in checks:
            check.abort()
    assert found == expected


def test_the_fast_validator_stops_reading_at_the_first_piece_with_a_fault() -> None:
    """A document that is invalid early is not read to its end (lxml words the failure)."""
    check = streaming.pushed(str(schema_path("Journal.xsd")), "Journal")
    assert check is not None
    head, tail = VALID_JOURNAL.split("<JournalEntry>", 1)
    check.feed((head + "<Colour>red</Colour>").encode())
    assert check._failed
    check.feed(("<JournalEntry>" + tail).encode())  # not parsed: no second verdict
    assert check.close() is False


def test_another_major_libxml2_is_left_to_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast validator relies on libxml2 2's layouts: with another, lxml decides (in a
    process of its own for a big document)."""
    from yukimap.validate.xsd import XsdCheck

    monkeypatch.setattr(streaming.etree, "LIBXML_VERSION", (3, 0, 0))
    streaming._engine.cache_clear()
    try:
        assert streaming.pushed(str(schema_path("Journal.xsd")), "Journal") is None
        check = XsdCheck(schema_path("Journal.xsd"), "Journal", in_process=False)
        check.feed(VALID_JOURNAL.encode())
        assert check.finish() is None and check.peak_kb > 0
    finally:
        streaming._engine.cache_clear()
