"""The invoice of Yuki's own documentation round-trips: CSV -> yukimap -> Yuki's example XML."""

from __future__ import annotations

from lxml import etree

from tests.conftest import REPO
from yukimap.output import document_text
from yukimap.pipeline import convert_file


def _canonical(xml: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    tree = etree.fromstring(xml, parser)
    return etree.tostring(tree, method="c14n")


def test_documentation_example_round_trips() -> None:
    result = convert_file(REPO / "examples/yuki-doc-example.csv",
                          REPO / "mappings/yuki-doc-example.yaml")
    official = (REPO / "tests/data/yuki-example-invoice.xml").read_bytes()
    assert _canonical(document_text(result).encode()) == _canonical(official)


def test_documentation_example_totals() -> None:
    result = convert_file(REPO / "examples/yuki-doc-example.csv",
                          REPO / "mappings/yuki-doc-example.yaml")
    totals = result.summary.totals["EUR"]
    # 2 x 14.88 incl. 21% VAT = 29.76, of which VAT 29.76 * 21 / 121 = 5.165 -> 5.16
    assert (str(totals.incl), str(totals.vat), str(totals.excl)) == ("29.76", "5.16", "24.60")
