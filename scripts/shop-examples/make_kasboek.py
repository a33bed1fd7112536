"""Writes a Dutch petty cash book ("kasboek") kept in a spreadsheet, invented data:

- kasboek-example.ods   (LibreOffice / OpenDocument, written with odfpy): real date cells,
  number cells, the running balance and the VAT as FORMULAS with their computed values
  stored beside them (as LibreOffice itself saves them);
- kasboek-example.xlsx  (written with openpyxl): the same sheet with plain values
  (openpyxl cannot store a formula's computed value; see kasboek.md);
- kasboek-example-formulas.xlsx, only when LibreOffice is installed: the .ods converted by
  `soffice --headless --convert-to xlsx`, i.e. formulas WITH cached values, the form an
  Excel-kept kasboek has.

Layout (typical of the public Dutch templates cited in kasboek.md): three title rows and a
blank row above the header row, an opening-balance row ("Beginsaldo"), one row per cash
movement with separate Ontvangsten / Uitgaven columns, Btw % and Btw amount, running Saldo,
and a totals row plus a closing-balance row at the bottom.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from _common import HERE

TITLE = ["Kasboek", "Theehuis De Linde - kas winkel Utrecht", "Periode: november 2024"]
HEADER = ["Datum", "Bonnr.", "Omschrijving", "Categorie", "Ontvangsten", "Uitgaven", "Btw %",
          "Btw", "Saldo"]
OPENING = Decimal("250.00")

# (date, receipt no, description, category, receipt amount, payment amount, VAT rate or None)
ENTRIES = [
    (date(2024, 11, 2), "K-0311", "Contante verkoop winkel (thee en gebak)", "Omzet laag", "412.35", None, 9),
    (date(2024, 11, 2), "K-0312", "Postzegels PostNL", "Porti", None, "12.60", 0),
    (date(2024, 11, 4), "K-0313", "Contante verkoop winkel (thee en gebak)", "Omzet laag", "388.10", None, 9),
    (date(2024, 11, 5), "K-0314", "Storting op ING zakelijk", "Bank", None, "500.00", None),
    (date(2024, 11, 6), "K-0315", "Schoonmaakmiddelen", "Schoonmaak", None, "23.47", 21),
    (date(2024, 11, 8), "K-0316", "Contante verkoop servies", "Omzet hoog", "64.50", None, 21),
    (date(2024, 11, 11), "K-0317", "Koffie en melk voor personeel", "Kantine", None, "8.45", 9),
    (date(2024, 11, 13), "K-0318", "Parkeren gemeente Utrecht", "Reiskosten", None, "4.80", 0),
    (date(2024, 11, 15), "K-0319", "Privé opname eigenaar", "Privé", None, "100.00", None),
    (date(2024, 11, 18), "K-0320", "Bloemen voor de toonbank – Bloemenhuis Zoë (bon € 15,00 incl. fooi € 1,00)", "Representatie", None, "15.00", 9),
    (date(2024, 11, 22), "K-0321", "Contante verkoop winkel (thee en gebak)", "Omzet laag", "297.80", None, 9),
    (date(2024, 11, 29), "K-0322", "Terugbetaling aan klant: kapot theeglas (bon 2024-1188)", "Omzet hoog", "-14.50", None, 21),
]

FIRST_ROW = len(TITLE) + 2 + 1          # 1-based sheet row of "Beginsaldo" (title, blank, header)


def r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def computed_rows():
    """Rows with their computed values: (cells, formulas) per sheet row after the header."""
    rows = []
    saldo = OPENING
    rows.append(dict(kind="open", values=[date(2024, 11, 1), None, "Beginsaldo", None, None, None, None, None, OPENING]))
    for d, nr, desc, cat, rec, pay, rate in ENTRIES:
        rec_d = Decimal(rec) if rec else None
        pay_d = Decimal(pay) if pay else None
        saldo = saldo + (rec_d or 0) - (pay_d or 0)
        btw = None
        if rate is not None:
            gross = (rec_d or 0) + (pay_d or 0)
            btw = r2(gross * rate / (100 + rate))
        rows.append(dict(kind="entry", values=[d, nr, desc, cat, rec_d, pay_d, rate, btw, saldo]))
    return rows, saldo


def excel_formulas(row: int, kind: str):
    """Formulas for one sheet row (1-based), Excel syntax."""
    if kind != "entry":
        return {}
    return {
        "H": f'=IF(G{row}="","",ROUND((E{row}+F{row})*G{row}/(100+G{row}),2))',
        "I": f"=I{row - 1}+E{row}-F{row}",
    }


def write_xlsx(path: Path, rows, saldo) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "November 2024"
    ws["A1"] = TITLE[0]
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = TITLE[1]
    ws["A3"] = TITLE[2]
    hdr = len(TITLE) + 2
    for c, h in enumerate(HEADER, start=1):
        ws.cell(hdr, c, h).font = Font(bold=True)
    r = hdr
    for row in rows:
        r += 1
        for c, v in enumerate(row["values"], start=1):
            if v is None:
                continue
            cell = ws.cell(r, c, float(v) if isinstance(v, Decimal) else v)
            if isinstance(v, date):
                cell.number_format = "DD-MM-YYYY"
            elif isinstance(v, Decimal):
                cell.number_format = "#,##0.00"
    last = r
    tot_rec = sum((row["values"][4] or 0) for row in rows[1:])
    tot_pay = sum((row["values"][5] or 0) for row in rows[1:])
    tot_btw = sum((row["values"][7] or 0) for row in rows[1:])
    r = last + 2
    ws.cell(r, 3, "Totaal november").font = Font(bold=True)
    for c, v in ((5, tot_rec), (6, tot_pay), (8, tot_btw)):
        ws.cell(r, c, float(v)).number_format = "#,##0.00"
    ws.cell(r + 1, 3, "Eindsaldo").font = Font(bold=True)
    ws.cell(r + 1, 9, float(saldo)).number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHI", (12, 9, 58, 15, 13, 13, 7, 9, 12)):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "yukimap research (invented example)"
    wb.save(path)


def write_ods(path: Path, rows, saldo) -> None:
    from odf.number import DateStyle, Day, Month, Number, NumberStyle, Text as NText, Year
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    ds = DateStyle(name="NDate")
    ds.addElement(Day(style="long")); ds.addElement(NText(text="-"))
    ds.addElement(Month(style="long")); ds.addElement(NText(text="-"))
    ds.addElement(Year(style="long"))
    doc.automaticstyles.addElement(ds)
    ns = NumberStyle(name="NMoney")
    ns.addElement(Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
    doc.automaticstyles.addElement(ns)
    date_cell = Style(name="cDate", family="table-cell", datastylename="NDate")
    money_cell = Style(name="cMoney", family="table-cell", datastylename="NMoney")
    bold = Style(name="cBold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    big = Style(name="cBig", family="table-cell")
    big.addElement(TextProperties(fontweight="bold", fontsize="14pt"))
    for s in (date_cell, money_cell, bold, big):
        doc.automaticstyles.addElement(s)

    table = Table(name="November 2024")
    for i, width in enumerate(("2.4cm", "1.8cm", "11cm", "3cm", "2.6cm", "2.6cm", "1.4cm", "1.8cm", "2.4cm")):
        cs = Style(name=f"co{i}", family="table-column")
        cs.addElement(TableColumnProperties(columnwidth=width))
        doc.automaticstyles.addElement(cs)
        table.addElement(TableColumn(stylename=cs))

    def text_cell(t, style=None):
        c = TableCell(valuetype="string", stylename=style) if style else TableCell(valuetype="string")
        c.addElement(P(text=t))
        return c

    def num_cell(v: Decimal, formula=None, style=money_cell):
        kw = dict(valuetype="float", value=str(v), stylename=style)
        if formula:
            kw["formula"] = formula
        c = TableCell(**kw)
        c.addElement(P(text=f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")))
        return c

    def add_row(cells):
        tr = TableRow()
        for c in cells:
            tr.addElement(c if c is not None else TableCell())
        table.addElement(tr)

    add_row([text_cell(TITLE[0], big)])
    add_row([text_cell(TITLE[1])])
    add_row([text_cell(TITLE[2])])
    add_row([])
    add_row([text_cell(h, bold) for h in HEADER])
    sheet_row = len(TITLE) + 2
    for row in rows:
        sheet_row += 1
        d, nr, desc, cat, rec, pay, rate, btw, sal = row["values"]
        cells = []
        dc = TableCell(valuetype="date", datevalue=d.isoformat(), stylename=date_cell)
        dc.addElement(P(text=d.strftime("%d-%m-%Y")))
        cells.append(dc)
        cells.append(text_cell(nr) if nr else None)
        cells.append(text_cell(desc))
        cells.append(text_cell(cat) if cat else None)
        cells.append(num_cell(rec) if rec is not None else None)
        cells.append(num_cell(pay) if pay is not None else None)
        if rate is not None:
            rc = TableCell(valuetype="float", value=str(rate))
            rc.addElement(P(text=str(rate)))
            cells.append(rc)
        else:
            cells.append(None)
        r = sheet_row
        if row["kind"] == "entry" and btw is not None:
            cells.append(num_cell(btw, f"of:=ROUND(([.E{r}]+[.F{r}])*[.G{r}]/(100+[.G{r}]);2)"))
        else:
            cells.append(None)
        if row["kind"] == "entry":
            cells.append(num_cell(sal, f"of:=[.I{r - 1}]+[.E{r}]-[.F{r}]"))
        else:
            cells.append(num_cell(sal))
        add_row(cells)
    first, last = len(TITLE) + 3 + 1, sheet_row
    add_row([])
    tot_rec = sum((row["values"][4] or 0) for row in rows[1:])
    tot_pay = sum((row["values"][5] or 0) for row in rows[1:])
    tot_btw = sum((row["values"][7] or 0) for row in rows[1:])
    add_row([None, None, text_cell("Totaal november", bold), None,
             num_cell(tot_rec, f"of:=SUM([.E{first}:.E{last}])"),
             num_cell(tot_pay, f"of:=SUM([.F{first}:.F{last}])"), None,
             num_cell(tot_btw, f"of:=SUM([.H{first}:.H{last}])")])
    add_row([None, None, text_cell("Eindsaldo", bold), None, None, None, None, None,
             num_cell(saldo, f"of:=[.I{last}]")])
    doc.spreadsheet.addElement(table)
    doc.save(str(path))


def main() -> None:
    rows, saldo = computed_rows()
    ods = HERE / "kasboek-example.ods"
    xlsx = HERE / "kasboek-example.xlsx"
    write_ods(ods, rows, saldo)
    write_xlsx(xlsx, rows, saldo)
    print(ods, xlsx, "closing balance", saldo)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                            "--convert-to", "xlsx", "--outdir", tmp, str(ods)],
                           check=True, capture_output=True, timeout=180)
            shutil.copyfile(Path(tmp) / "kasboek-example.xlsx", HERE / "kasboek-example-formulas.xlsx")
        print(HERE / "kasboek-example-formulas.xlsx")
    else:
        print("LibreOffice not found: kasboek-example-formulas.xlsx not written")


if __name__ == "__main__":
    main()
