"""Start-up: what a small file costs, whole-process, timed from outside (issue 14, target 4:
`yukimap convert` of a one-row CSV in at most 0.25 s wall).

Run by hand: `make benchmark`, or `.venv/bin/python benchmarks/bench_startup.py [--times N]
[--imports] [--stages]`.

Each command runs in a fresh process, N times (default 11), the commands taking turns so
that a busy machine weighs on all of them alike. Per command: wall time and CPU time (user +
sys of the process and its children, which a shared machine disturbs less), median with
(min-max). The commands: `yukimap --help`; `check` of a shipped mapping and `status` (of
a state folder of their own), which read no export and so start without polars; `convert`
of a one-row sales export (webshop-orders) and of a one-row bank export (bank-ing, a
journal), each with --dry-run and with -o out.xml (validated, written). The floor beside
them: the interpreter alone, and the interpreter importing polars, which every conversion
needs.

--imports: where the time goes before a conversion starts, by `python -X importtime`
(median over 5 runs): the top modules by cumulative import time, and the self time summed
per top-level package.
--stages: the same conversion in-process, stage by stage (imports, mapping loaded, read and
mapped, rendered and validated), median of fresh processes.

Bytecode: an installed yukimap runs from compiled bytecode (pip compiles it on install), so
the runs here keep a bytecode cache of their own (PYTHONPYCACHEPREFIX, in a temporary
folder, filled by one unmeasured run of each command) even where PYTHONDONTWRITEBYTECODE is
set; --no-bytecode-cache measures compiling every module on every run instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._measure import runs, spread  # noqa: E402

TARGET = 0.25  # seconds, wall, for `yukimap convert` of a one-row CSV
JOURNAL_ADMINISTRATION = "12345678"  # a journal needs one (-a): a CoC number


def one_row_files(folder: Path) -> dict[str, tuple[Path, str, list[str]]]:
    """The one-row exports: the header and first data row of the shipped examples.
    name -> (file, mapping, extra options)."""
    files = {}
    for name, example, mapping, extra in (
            ("sales", "webshop-orders.csv", "webshop-orders", []),
            ("journal", "bank-ing.csv", "bank-ing", ["-a", JOURNAL_ADMINISTRATION])):
        lines = (ROOT / "examples" / example).read_bytes().splitlines(keepends=True)
        path = folder / f"one-{example}"
        path.write_bytes(b"".join(lines[:2]))
        files[name] = (path, mapping, extra)
    return files


def yukimap_command() -> list[str]:
    script = Path(sys.executable).with_name("yukimap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "yukimap"]


def commands(folder: Path) -> dict[str, list[str]]:
    yukimap = yukimap_command()
    found: dict[str, list[str]] = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "python -c 'import polars' (floor)": [sys.executable, "-c", "import polars"],
        "yukimap --help": [*yukimap, "--help"],
        "yukimap check MAPPING": [*yukimap, "check",
                                  str(ROOT / "mappings" / "webshop-orders.yaml")],
        "yukimap status": [*yukimap, "status"],
    }
    for name, (path, mapping, extra) in one_row_files(folder).items():
        base = [*yukimap, "convert", str(path), "-m", mapping, *extra]
        found[f"convert {name} (1 row) --dry-run"] = [*base, "--dry-run"]
        found[f"convert {name} (1 row) -o out.xml"] = [*base, "-o", str(folder / "out.xml")]
    return found


def environment(folder: Path, bytecode_cache: bool) -> dict[str, str]:
    """The environment of the measured runs: a bytecode cache of their own, or none."""
    env = dict(os.environ, YUKIMAP_STATE=str(folder / "state"))
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def timed(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + sys, the process and its children) of one fresh run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(times: int, bytecode_cache: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        found = commands(Path(tmp))
        env = environment(Path(tmp), bytecode_cache)
        for command in found.values():  # once unmeasured: the bytecode cache, the disk cache
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        walls: dict[str, list[float]] = defaultdict(list)
        cpus: dict[str, list[float]] = defaultdict(list)
        for _ in range(times):
            for name, command in found.items():  # in turns, so load weighs on all alike
                wall, cpu = timed(command, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    width = max(map(len, found))
    cache = "with a bytecode cache" if bytecode_cache else "compiling every module (no cache)"
    print(f"Start-up, {times} fresh processes each, {cache}, median (min-max),"
          f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}:")
    print(f"  {'':{width}}  {'wall':>22}  {'CPU (user+sys)':>22}")
    for name in found:
        print(f"  {name:{width}}  {spread(walls[name], 's', 3):>22}"
              f"  {spread(cpus[name], 's', 3):>22}")
    converts = [name for name in found if name.startswith("convert")]
    worst = max(statistics.median(walls[name]) for name in converts)
    verdict = "met" if worst <= TARGET else "not met"
    print(f"Target: convert of a one-row CSV <= {TARGET:.2f} s wall: {verdict} (slowest median"
          f" {worst:.3f} s)")
    return 0


def import_profile(bytecode_cache: bool, runs_: int = 5, top: int = 25) -> None:
    """`python -X importtime` of a one-row sales conversion (-o), summarised."""
    with tempfile.TemporaryDirectory() as tmp:
        path, mapping, extra = one_row_files(Path(tmp))["sales"]
        command = [sys.executable, "-X", "importtime", "-m", "yukimap", "convert", str(path),
                   "-m", mapping, *extra, "-o", str(Path(tmp) / "out.xml")]
        env = environment(Path(tmp), bytecode_cache)
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        cumulative: dict[str, list[int]] = defaultdict(list)
        by_package: dict[str, list[int]] = defaultdict(list)
        counts = []
        for _ in range(runs_):
            done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT,
                                  env=env)
            own: dict[str, int] = defaultdict(int)
            count = 0
            for line in done.stderr.splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                self_us, cumulative_us, name = line[len("import time:"):].split("|")
                module = name.strip()
                cumulative[module].append(int(cumulative_us))
                own[module.split(".")[0]] += int(self_us)
                count += 1
            for package, us in own.items():
                by_package[package].append(us)
            counts.append(count)
    median = {m: statistics.median(v) / 1e6 for m, v in cumulative.items()}
    print(f"\nImports of `yukimap convert` (one-row sales, -o), python -X importtime, median of"
          f" {runs_}: {int(statistics.median(counts))} modules")
    print(f"  top {top} by cumulative import time (a module's own and everything it imports"
          " first):")
    for module, seconds in sorted(median.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {seconds:6.3f} s  {module}")
    packages = {p: statistics.median(v) / 1e6 for p, v in by_package.items()}
    total = sum(packages.values())
    print(f"  self time per top-level package (all imports: {total:.3f} s):")
    for package, seconds in sorted(packages.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {seconds:6.3f} s  {package}")


def one(name: str) -> dict[str, float]:
    """One conversion in this (fresh) process, stage by stage: what `convert` does."""
    start = time.perf_counter()
    from yukimap.output import check_documents, write_documents
    from yukimap.pipeline import convert_file
    from yukimap.schema import apply_options, load_mapping

    imported = time.perf_counter()
    folder = Path(tempfile.mkdtemp())
    path, mapping_name, extra = one_row_files(folder)[name]
    mapping = apply_options(load_mapping(mapping_name), extra[1] if extra else None, None)
    loaded = time.perf_counter()
    result = convert_file(path, mapping)
    converted = time.perf_counter()
    check_documents(result)
    checked = time.perf_counter()
    write_documents(result, folder / "out.xml")
    written = time.perf_counter()
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return {"imports": imported - start, "load mapping": loaded - imported,
            "read + map": converted - loaded, "render + validate (dry run)": checked - converted,
            "again, written (-o)": written - checked}


def stages(times: int, bytecode_cache: bool) -> None:
    print(f"\nStages in-process (after the interpreter), median of {times} fresh processes:")
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp), bytecode_cache)  # runs() inherits this process's
        for key in set(os.environ) - set(env):
            del os.environ[key]
        os.environ.update(env)
        for name in ("sales", "journal"):
            runs(Path(__file__), [name], 1)  # unmeasured: the bytecode cache
            results = runs(Path(__file__), [name], times)
            print(f"  {name}: " + ", ".join(
                f"{stage} {spread([r[stage] for r in results], 's', 3)}" for stage in results[0]))


def main() -> int:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=11, help="runs per command (default 11)")
    parser.add_argument("--imports", action="store_true", help="also the import profile")
    parser.add_argument("--stages", action="store_true", help="also the stages in-process")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile every module on every run (no bytecode cache)")
    options = parser.parse_args()
    cache = not options.no_bytecode_cache
    measure(options.times, cache)
    if options.stages:
        stages(options.times, cache)
    if options.imports:
        import_profile(cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
