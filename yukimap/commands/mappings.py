"""yukimap mappings: the mappings that ship with yukimap, by the kind of export they read."""

from __future__ import annotations

import click

from yukimap.i18n import N_, tr

# The heading of each kind (schema.keys.PACK_KINDS), in the order they are listed.
HEADINGS = {"bank": N_("Banks"), "webshop": N_("Webshops"),
            "payment-provider": N_("Payment providers"), "till": N_("Tills"),
            "cash-book": N_("Cash books"), "other": N_("Others")}


def run() -> int:
    from yukimap.resources import shipped_mappings
    from yukimap.schema import load_mapping

    shipped = shipped_mappings()
    if not shipped:
        click.echo(tr("no shipped mappings found"))
        return 1
    width = max(len(name) for name in shipped)
    by_kind: dict[str, list[str]] = {kind: [] for kind in HEADINGS}
    for name, path in shipped.items():
        mapping = load_mapping(path)
        title = mapping.name or (mapping.description.splitlines() or [""])[0]
        by_kind[mapping.kind].append(f"  {name:<{width}}  {mapping.target.name:<15} {title}")
    for kind, lines in by_kind.items():
        if lines:
            click.echo(f"{tr(HEADINGS[kind])}\n" + "\n".join(lines) + "\n")
    click.echo(tr("Use one by name: yukimap convert FILE --mapping NAME; start your own from one:"
                  " yukimap init FILE --like NAME; copy it to change it: {folder}",
                  folder=next(iter(shipped.values())).parent))
    return 0
