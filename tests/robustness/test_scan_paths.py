"""The two ways the workbook scan reads a worksheet part agree: polars for chunks whose cells
are all written the usual way, Python's regex for any other. Run on cells written every
way, usual and odd, whole or cut into chunks anywhere, so that either path may be taken.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from yukimap.read import xlsxscan

usual_references = st.from_regex(r"[A-Z]{1,3}[1-9][0-9]{0,6}", fullmatch=True)
references = st.one_of(usual_references,
                       st.from_regex(r"[A-Za-z]{0,8}0?[0-9]{0,11}", fullmatch=True))
usual_attributes = st.sampled_from(["", ' t="s"', ' s="1" t="s"', ' t="inlineStr"', ' at="s"',
                                    ' rr="x"', ' x:r="XFD1048576"', ' cm="1"'])
odd_attributes = st.sampled_from([' r="XFD1048576"', ' t = "s"', " t='s'", '  s="1"', '\nt="s"',
                                  ' cm="a>b"', ' t ="s"', ' t= "s"'])
openings = st.sampled_from(["<c ", "<c  ", "<c\n", "<c>", "<c/", "<x:c "])
contents = st.sampled_from([
    "/>", "><v>1</v></c>", "><v>7</v></c>", "> <v>0012</v></c>", "><v>12345678901</v></c>",
    "><is><t>text</t></is></c>", "><f>t=\"s\"></f><v>4</v></c>", "></c>", ">\xe9</c>",
])
usual_cells = st.builds(lambda r, a, c: f'<c r="{r}"{a}{c}', usual_references, usual_attributes,
                        contents)
odd_cells = st.one_of(
    st.builds(lambda r, a, c: f'<c r="{r}"{a}{c}', usual_references, odd_attributes, contents),
    st.builds(lambda o, r, a, c: f'{o}r="{r}"{a}{c}', openings, references,
              st.one_of(usual_attributes, odd_attributes), contents),
)
# All cells written the usual way; or now and then one odd cell, the same each time; or any
# mix.
cell_kinds = st.one_of(
    st.just(usual_cells),
    odd_cells.map(lambda odd: st.one_of(*[usual_cells] * 9, st.just(odd))),
    st.just(st.one_of(usual_cells, odd_cells)),
)
rows = cell_kinds.flatmap(lambda cell: st.lists(st.lists(cell, max_size=6), max_size=30))


def _scan(data: bytes, cuts: list[int], counted: bool, polars: range) -> tuple[object, ...]:
    old, xlsxscan._POLARS = xlsxscan._POLARS, polars
    try:
        scan = xlsxscan.XlsxScan(counted)
        for start, end in zip([0, *cuts], [*cuts, len(data)]):
            scan.feed(data[start:end])
    finally:
        xlsxscan._POLARS = old
    shared = xlsxscan.SharedStrings()
    shared.feed(b"".join(b"<si>" + b"x" * (i % 7) + b"</si>" for i in range(20)))
    return scan.extent(shared), scan.row, scan.column, scan.unsure


@settings(max_examples=max(300, settings.default.max_examples))  # each example is small
@given(rows, st.lists(st.integers(min_value=0, max_value=4000), max_size=3), st.booleans(),
       st.booleans())
def test_polars_and_python_read_a_worksheet_alike(rows: list[list[str]], cuts: list[int],
                                                   counted: bool, latin: bool) -> None:
    xml = "<worksheet><sheetData>" + "".join(
        f'<row r="{n}">' + "".join(row) + "</row>" for n, row in enumerate(rows, 1)
    ) + "</sheetData></worksheet>"
    data = xml.encode("latin-1" if latin else "utf-8")  # latin-1: bytes that do not decode
    cuts = sorted(min(c, len(data)) for c in cuts)
    assert _scan(data, cuts, counted, range(0, 2**40)) == _scan(data, cuts, counted, range(0))
