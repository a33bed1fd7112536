"""A till's daily export of some years -> one journal a day, each validated into a folder.

Run: `.venv/bin/python benchmarks/bench_many_journals.py [DAYS]` (default 3,000: eight
years). The shipped mapping pos-daily makes a journal of each day's four turnover rows (cash
and card, two VAT rates): twelve entries. Timed as a user runs it, the whole `yukimap
convert -o FOLDER/` process from outside (median of 3, min-max), and in one process per
stage (read and map; render, validate and write). Every run's folder is checked: a file a
day, twelve entries in each. Cost must grow with the days, not with their square (it did
until each day's document was found again from the first for every day: 100 s at 3,000).
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import peak_mb, spread  # noqa: E402

ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"


def export(days: int, folder: Path) -> Path:
    """Four rows a day, as examples/pos-daily.csv has them."""
    lines = ["Datum;Kassa;Betaalwijze;Btw-tarief;Omzet incl. btw"]
    first = datetime.date(2020, 1, 1)
    for n in range(days):
        day = (first + datetime.timedelta(days=n)).strftime("%d-%m-%Y")
        lines += [f"{day};K1;{way};{rate};{(n * 7 + len(way) + int(rate)) % 900 + 1},{n % 100:02d}"
                  for way in ("Contant", "PIN") for rate in ("9", "21")]
    path = folder / f"pos-{days}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def checked(out: Path, days: int) -> None:
    files = sorted(out.iterdir())
    assert len(files) == days, f"{len(files)} files for {days} days"
    for path in files:
        entries = path.read_text(encoding="utf-8").count("<JournalEntry>")
        assert entries == 12, f"{path.name}: {entries} entries"


def whole(source: Path, days: int, folder: Path) -> dict[str, float]:
    """One `yukimap convert` process, timed from outside."""
    out = folder / "journals"
    script = Path(sys.executable).with_name("yukimap")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "yukimap"]
    start = time.perf_counter()
    subprocess.run([*command, "convert", str(source), "-m", "pos-daily", "-a",
                    ADMINISTRATION, "-o", f"{out}/"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    checked(out, days)
    shutil.rmtree(out)
    return {"seconds": seconds}


def stages(source: Path, days: int, folder: Path) -> dict[str, float]:
    """Read and map, then render, validate and write, in this process."""
    from yukimap.output import write_documents
    from yukimap.pipeline import convert_file
    from yukimap.schema import apply_options, load_mapping

    mapping = apply_options(load_mapping("pos-daily"), ADMINISTRATION, None)
    start = time.perf_counter()
    result = convert_file(source, mapping)
    mapped = time.perf_counter()
    write_documents(result, folder / "staged")
    written = time.perf_counter()
    checked(folder / "staged", days)
    return {"map": mapped - start, "write": written - mapped, "peak_mb": peak_mb()[0]}


def main(argv: list[str]) -> int:
    days = int(argv[0]) if argv else 3_000
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        source = export(days, folder)
        runs = [whole(source, days, folder) for _ in range(3)]
        staged = json.loads(subprocess.run(
            [sys.executable, __file__, "--stages", str(days), str(source)], check=True,
            capture_output=True, text=True).stdout)
    seconds = [r["seconds"] for r in runs]
    print(f"{days:,} days -> {days:,} journals in a folder, validated: whole process"
          f" {spread(seconds)}, {days / sorted(seconds)[1]:,.0f} journals/s; in one process:"
          f" read and map {staged['map']:.2f} s, render, validate and write"
          f" {staged['write']:.2f} s, peak {staged['peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stages"]:
        with tempfile.TemporaryDirectory() as temp:
            print(json.dumps(stages(Path(sys.argv[3]), int(sys.argv[2]), Path(temp))))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
