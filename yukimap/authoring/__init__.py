"""What helps a person write a mapping: `starter_mapping`, the commented starter that
`yukimap init` writes for an export.

It finds how the file is laid out (`layout`: encoding, delimiter, sheet, header row), what
each column holds (`columns`: dates in which format, numbers with which decimal mark,
stated only when the whole column admits one reading), which column is which field of the
target by the Dutch and English names exports give them (`synonyms`), decides the fields
(`draft`, with `source` for how the file is read) and writes them as commented YAML
(`starter`, `yamltext`), with a TODO that `check` refuses wherever a person must decide;
or starts from a shipped mapping, fitted to the file (`like`, for `init --like`).
"""

from yukimap.authoring.starter import (
    SCHEMA_URL,
    Starter,
    starter_mapping,
    starter_summary,
    todo_lines,
)

__all__ = ["SCHEMA_URL", "Starter", "starter_mapping", "starter_summary", "todo_lines"]
