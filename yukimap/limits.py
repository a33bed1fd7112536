"""The bounds on every resource an input can drive: one table, read once from the environment.

A hot folder takes whatever lands in it, so no file, mapping, expression or template may
crash yukimap, hang it or exhaust the machine's memory. Each bound below has a default that
real exports stay far below, an environment variable to raise (or lower) it, and a message
that names the variable when a file goes over it.

    YUKIMAP_MAX_FILE_MB            input file size (CSV or workbook on disk)
    YUKIMAP_MAX_ROWS               data rows in one file
    YUKIMAP_MAX_COLUMNS            columns in one file
    YUKIMAP_MAX_CELL_CHARS         characters in one cell (Excel's own limit is 32,767)
    YUKIMAP_MAX_UNPACKED_MB        a workbook's contents once unzipped (zip bombs)
    YUKIMAP_MAX_CELLS              cells of one sheet: rows x columns from A1 to its last cell
    YUKIMAP_MAX_ZIP_RATIO          how much one part of a workbook may grow when unzipped
    YUKIMAP_MAX_SHEET_TEXT_MB      text a sheet repeats (shared strings, repeated .ods cells)
    YUKIMAP_MAX_MAPPING_KB         a mapping or config file
    YUKIMAP_MAX_TEMPLATE_KB        a template file
    YUKIMAP_MAX_OUTPUT_MB          a rendered document
    YUKIMAP_MAX_RENDER_SECONDS     rendering one file's documents
    YUKIMAP_MAX_EXPR_CHARS         one expression's text
    YUKIMAP_MAX_DRY_RUN_MB         the memory of the studio's dry runs (its worker process)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from yukimap.errors import SettingsError
from yukimap.i18n import N_, tr

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Every bound, with the environment variable that changes it (see the module doc)."""

    max_file_mb: int = 1024
    max_rows: int = 10_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    max_unpacked_mb: int = 1024
    # A sheet is read as a whole rectangle: one cell at XFD1048576 would be 17 billion.
    max_cells: int = 5_000_000
    max_zip_ratio: int = 100  # zip bombs; Apache POI's bound (its MIN_INFLATE_RATIO 0.01)
    # calamine copies a shared string into each cell showing it, and a copy costs about five
    # times its size by the time it is a frame: 128 MB keeps such a sheet under 1 GB.
    max_sheet_text_mb: int = 128
    max_mapping_kb: int = 1024
    max_template_kb: int = 1024
    max_output_mb: int = 4096
    max_render_seconds: int = 900
    max_expr_chars: int = 10_000
    # The studio reads an export whole (a million sales rows: about 0.8 GB); a bigger one
    # ends its worker instead of filling the machine, and is for `check --sample`.
    max_dry_run_mb: int = 2048
    # Fixed bounds of the mapping language; not settings, since no real mapping nears them.
    yaml_aliases: int = 100  # alias uses in one YAML file (billion laughs)
    yaml_alias_values: int = 10_000  # values those aliases repeat, nested ones multiplied
    yaml_depth: int = 32  # nesting of YAML collections
    expr_depth: int = 40  # nesting of an expression (parentheses, calls, operators)
    expr_nodes: int = 2_000  # parts of one expression
    text_chars: int = 1_000_000  # a text value an expression computes
    number_digits: int = 30  # digits before the decimal mark in an expression's number
    template_range: int = 100_000  # numbers in one range() of a template (Jinja's own bound)
    template_digits: int = 4_300  # digits of a number a template computes (what Python prints)
    zip_members: int = 10_000  # parts of one workbook (a real one has tens)

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable of a setting: max_rows -> YUKIMAP_MAX_ROWS."""
        return f"YUKIMAP_{name.upper()}"


SETTINGS = ("max_file_mb", "max_rows", "max_columns", "max_cell_chars", "max_unpacked_mb",
            "max_mapping_kb", "max_template_kb", "max_output_mb", "max_render_seconds",
            "max_expr_chars", "max_cells", "max_zip_ratio", "max_sheet_text_mb",
            "max_dry_run_mb")


_UNITS = {"_mb": N_("{bound} MB"), "_kb": N_("{bound} KB"), "_seconds": N_("{bound} seconds"),
          "_chars": N_("{bound} characters"), "_rows": N_("{bound} rows"),
          "_columns": N_("{bound} columns"), "_cells": N_("{bound} cells"),
          "_ratio": N_("{bound} to 1")}


@cache
def limits() -> Limits:
    """The limits of this process: the defaults, changed by YUKIMAP_MAX_* variables."""
    changes: dict[str, int] = {}
    for name in SETTINGS:
        found = whole_number(Limits.variable(name))
        if found is not None:
            changes[name] = found
    return Limits(**changes)


def slice_bytes() -> int:
    """The bytes of a big CSV read at a time (YUKIMAP_SLICE_BYTES; the tests cut small files
    into many slices with it): a file of more than two slices is read a slice at a time."""
    return whole_number("YUKIMAP_SLICE_BYTES") or 4 * MB


def whole_number(variable: str) -> int | None:
    """The environment variable's whole number of 1 or more; None when it is not set."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    if not raw.replace("_", "").isdigit() or int(raw.replace("_", "")) < 1:
        raise SettingsError(tr("{variable}={raw} is not a whole number of 1 or more",
                               variable=variable, raw=repr(raw)),
                            hint=tr("unset it to use the default"))
    return int(raw.replace("_", ""))


def over(setting: str, what: str, found: str) -> tuple[str, str]:
    """(message, hint) for an input that goes over the bound `setting`."""
    bound = f"{getattr(limits(), setting):,}"
    unit = next((u for end, u in _UNITS.items() if setting.endswith(end)), None)
    limit = tr(unit, bound=bound) if unit else bound
    return (tr("{what} is over yukimap's limit of {limit} ({found})", what=what, limit=limit,
               found=found),
            tr("if the file is right, raise the limit: set {variable} to a higher number"
               " (README: Limits)", variable=Limits.variable(setting)))
