"""A rules: table against a plain map: lookup, on the same 100,000-row bank export.

Run by hand: `.venv/bin/python benchmarks/bench_rules.py [ROWS]` (default 100,000).
Both convert the bank export of bench_journal (two entries a row) with the shipped mapping
bank-ing, as a user runs it: `yukimap convert FILE -m MAPPING -a ID -o journal.xml`, a fresh
process each time, timed from outside (start-up, reading, mapping, rendering, XSD
validation, writing). "map": the shipped mapping with its counter account as a map: on the
counter IBAN (as it shipped before rules: existed). "rules": the same mapping with that map:
replaced by a table of 20 rules
(contains on the name, starts_with, a regular expression, any: over two columns, two
conditions that must both hold), most of which hold for no row, so that most rows are
tested against most rules before one holds or the fallback takes them; both give the same
accounts. Median of 5 (min-max), the two interleaved; then the map stage alone, in-process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._measure import spread  # noqa: E402

ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"
# The shipped mapping's counter account (a rules: table) is replaced by each of these.
TABLE_START = "      rules:"
TABLE_END = '      fallback: "2100"              # Vraagposten: a person sorts these out\n'
MAP = """\
      column: Tegenrekening
      map:
        NL44RABO0123456789: "4100"  # Vastgoed Molenstraat: huur
        NL03INGB0000123123: "4310"  # KPN: telefoon en internet
        NL20RABO0300065264: "1600"  # Molenaar Meelhandel: crediteur
        NL91ABNA0417164300: "1200"  # pin-uitbetalingen: kruisposten
        NL86INGB0002445588: "1550"  # Belastingdienst: afdracht btw
      fallback: "2100"              # Vraagposten
      default: "4900"               # no counter account: bank charges
"""
SHOPS = ["albert heijn", "jumbo", "lidl", "aldi", "plus supermarkt", "shell", "esso", "bp ",
         "tinq", "ns groep", "bol.com", "coolblue", "ziggo", "vattenfall"]
NAME = '"Naam / Omschrijving"'
RULES = "      rules:\n" + "".join(
    f'        - {{when: {{column: {NAME}, contains: "{shop}"}}, value: "4{i:03d}"}}\n'
    for i, shop in enumerate(SHOPS)) + """\
        - {when: {column: Mededelingen, matches: "^factuur [0-9]+"}, value: "4600"}
        - {when: {column: "Naam / Omschrijving", contains: molenaar}, value: "1600"}
        - when: {any: [{column: "Naam / Omschrijving", contains: kpn},
                       {column: Mededelingen, contains: telefoon}]}
          value: "4310"
        - when: [{column: "Af Bij", equals: bij}, {column: Code, equals: gt}]
          value: "1200"
        - {when: {column: "Naam / Omschrijving", starts_with: vastgoed}, value: "4100"}
        - {when: {column: Tegenrekening, empty: true}, value: "4900"}
      fallback: "2100"
"""


def mappings(folder: Path) -> dict[str, Path]:
    """The shipped bank-ing mapping with its counter account as a map: on the counter IBAN
    (as it shipped before rules: existed), and with a rules: table of 20 rules."""
    shipped = (ROOT / "mappings" / "bank-ing.yaml").read_text(encoding="utf-8")
    start, end = shipped.index(TABLE_START), shipped.index(TABLE_END) + len(TABLE_END)
    mapped, ruled = shipped[:start] + MAP + shipped[end:], shipped[:start] + RULES + shipped[end:]
    assert ruled.count("rules:") == 1 and RULES.count("\n        - ") == 20
    out = {"map": folder / "map.yaml", "rules": folder / "rules.yaml"}
    out["map"].write_text(mapped, encoding="utf-8")
    out["rules"].write_text(ruled, encoding="utf-8")
    return out


def timed(source: Path, mapping: Path, output: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "yukimap", "convert", str(source), "-m", str(mapping),
                    "-a", ADMINISTRATION, "-o", str(output)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    from benchmarks.generate import bank_export

    rows = int(argv[0]) if argv else 100_000
    source = bank_export(rows)
    folder = Path(tempfile.mkdtemp())
    files = mappings(folder)
    output = folder / "journal.xml"
    times: dict[str, list[float]] = {"map": [], "rules": []}
    for _ in range(5):  # interleaved, so that a busy moment of the machine hits both
        for kind, mapping in files.items():
            times[kind].append(timed(source, mapping, output))
    for kind, seconds in times.items():
        print(f"{kind:<5} {rows:,} bank rows -> journal on disk (whole process):"
              f" {spread(seconds)}")
    ratio = statistics.median(times["rules"]) / statistics.median(times["map"])
    print(f"rules: takes {ratio:.2f}x the time of map: (medians)")
    stage = map_stage(source, files)
    for kind, seconds in stage.items():
        print(f"{kind:<5} the map stage alone (in one process, the file read once):"
              f" {spread(seconds)}")
    return 0


def map_stage(source: Path, files: dict[str, Path]) -> dict[str, list[float]]:
    """The map stage alone, where the two differ: less noise than whole processes."""
    from yukimap.mapping import map_table
    from yukimap.read import read_table
    from yukimap.schema import apply_options, load_mapping

    loaded = {}
    for kind, path in files.items():
        mapping = apply_options(load_mapping(path), ADMINISTRATION, None)
        loaded[kind] = (read_table(source, mapping.source), mapping)
    out: dict[str, list[float]] = {kind: [] for kind in files}
    for _ in range(5):  # interleaved, as the whole processes
        for kind, (table, mapping) in loaded.items():
            start = time.perf_counter()
            map_table(table, mapping)
            out[kind].append(time.perf_counter() - start)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
