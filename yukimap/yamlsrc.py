"""Load a YAML file into plain data plus the line:column of every key.

Mapping files are written by people who do not program, so the loader is strict where
PyYAML is lenient: a duplicated key is an error instead of "last one wins", and scalars
stay text unless they are `true`, `false` or empty. YAML 1.1 would turn `NO` (Norway),
`yes`, `010` (octal 8) and `21.00` (21.0) into something else; the mapping schema converts
text to the type each key needs and says so when it cannot.

A file can also be hostile (a hot folder takes whatever lands in it), so the loader checks
the file's size before it reads it, and the nesting and the aliases while it composes,
before any of it is built: an alias bomb or a runaway nesting stops at the line and column
where it goes over yukimap's limits (yukimap/limits.py).

The text is scanned and parsed by libyaml (C) where it reads it as PyYAML does, and by
PyYAML's own reader otherwise and for every error (`_composed`).
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from yukimap.errors import MappingError, Problem, Where
from yukimap.i18n import N_, tr
from yukimap.limits import limits, over

KeyPath = tuple[str | int, ...]

# The tags a scalar may carry; the loader's own resolvers give only the first three.
_STR, _BOOL, _NULL = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:bool",
                      "tag:yaml.org,2002:null")
_SCALAR_TAGS = (_STR, _BOOL, _NULL, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_TYPED_TAGS = (*_SCALAR_TAGS, "tag:yaml.org,2002:timestamp")
_TAG_HINT = N_("remove the tag: yukimap reads the value as text and converts it as the key"
              " needs")
# What load_yaml_file may be told it reads, in the user's language in its messages.
_WHAT = {"mapping file": N_("mapping file"), "config file": N_("config file")}


class _OverLimit(Exception):
    """The file goes over one of the loader's bounds at `mark`."""

    def __init__(self, cause: str, hint: str, mark: Any) -> None:
        super().__init__(cause)
        self.cause, self.hint, self.mark = cause, hint, mark


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts, while composing, the nesting and what aliases repeat."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_counting()

    def _start_counting(self) -> None:
        self.depth = 0  # collections open around the node being composed
        self.aliases = 0
        self.repeated = 0  # values that aliases repeat, each counted with all it holds
        self.shapes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, height)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = cast(yaml.Event, self.peek_event())  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._count_alias(node, event)
            return node
        collection = not isinstance(event, yaml.ScalarEvent)
        self.depth += collection
        if self.depth > limits().yaml_depth:
            raise _OverLimit(*_too_deep(), event.start_mark)
        node = super().compose_node(parent, index)
        self.depth -= collection
        self.shapes[id(node)] = self._shape(node)
        return node

    def _count_alias(self, node: yaml.Node | None, event: yaml.AliasEvent) -> None:
        bounds, mark, name = limits(), event.start_mark, event.anchor
        self.aliases += 1
        if self.aliases > bounds.yaml_aliases:
            raise _OverLimit(tr("more than {bound} aliases (*name) in one file",
                                bound=bounds.yaml_aliases),
                             tr("write the values out instead of repeating them with aliases"),
                             mark)
        shape = self.shapes.get(id(node))
        if shape is None:  # its anchor is still open: the alias is inside it
            raise _OverLimit(tr("the alias *{name} is used inside its own anchor &{name}",
                                name=name),
                             tr("an alias repeats a value written before it, not the value it"
                                " is part of"), mark)
        values, height = shape
        self.repeated += values
        if self.repeated > bounds.yaml_alias_values:
            raise _OverLimit(tr("the aliases (*name) in this file repeat more than {bound}"
                                " values", bound=f"{bounds.yaml_alias_values:,}"),
                             tr("an alias of a value that holds aliases multiplies them; write"
                                " the values out"), mark)
        if self.depth + height > bounds.yaml_depth:
            raise _OverLimit(*_too_deep(), mark)

    def _shape(self, node: yaml.Node | None) -> tuple[int, int]:
        """(values, height) of a composed node, with what its aliases repeat counted in."""
        if not isinstance(node, yaml.CollectionNode):
            return 1, 0
        children = ([part for pair in node.value for part in pair]
                    if isinstance(node, yaml.MappingNode) else node.value)
        shapes = [self.shapes[id(child)] for child in children]
        return (1 + sum(v for v, _ in shapes), 1 + max((h for _, h in shapes), default=0))


def _too_deep() -> tuple[str, str]:
    return (tr("YAML nested more than {bound} levels deep", bound=limits().yaml_depth),
            tr("a mapping needs only a few levels: check the brackets and the indentation"))


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _TypedLoader(_Loader):
    """_Loader with the types of YAML 1.1 (numbers, dates, yes/no), as yaml.safe_load reads
    them: for the config files, which have always been read so."""


_TypedLoader.yaml_implicit_resolvers = dict(yaml.SafeLoader.yaml_implicit_resolvers)


def _quick(loader: type[_Loader]) -> type[_Loader] | None:
    """`loader` reading its events from libyaml's scanner and parser, which PyYAML wraps
    (C: a mapping of a thousand rules is read in a quarter of the time), composed by the
    same counting composer and resolved by the same resolvers; None where PyYAML was built
    without libyaml."""
    try:
        from yaml._yaml import CParser  # what yaml.cyaml builds its loaders on
    except ImportError:
        return None

    class Quick(CParser, loader):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start_counting()
            self.text = stream
            self.flow = 0  # [ ] and { } collections open around the node being composed

        get_single_node = yaml.composer.Composer.get_single_node  # not libyaml's composer

        def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
            if getattr(self.peek_event(), "tag", None) is not None:
                raise _LeftToPyYAML  # '!tag': libyaml scans some of them otherwise
            return super().compose_node(parent, index)  # type: ignore[no-any-return]

        def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
            event = cast(yaml.ScalarEvent, self.peek_event())
            if event.value == "" and not event.style:
                # an empty value written as nothing: libyaml places some of them elsewhere
                raise _LeftToPyYAML
            mark = event.start_mark
            if event.style in ("|", ">") and (
                    mark is None or _COMMENT_AT_HEADER.match(self.text, mark.index)):
                raise _LeftToPyYAML  # '|#...': libyaml reads a comment, PyYAML refuses it
            if self.flow and not event.style and "?" in event.value:
                raise _LeftToPyYAML  # '[a?]': PyYAML ends a plain text at '?' in brackets
            return super().compose_scalar_node(anchor)  # type: ignore[no-any-return]

        def compose_sequence_node(self, anchor: str | None) -> yaml.SequenceNode:
            return cast(yaml.SequenceNode, self._composed(super().compose_sequence_node, anchor))

        def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
            return cast(yaml.MappingNode, self._composed(super().compose_mapping_node, anchor))

        def _composed(self, compose: Callable[[str | None], yaml.Node], anchor: str | None
                      ) -> yaml.Node:
            flow = bool(cast(yaml.CollectionStartEvent, self.peek_event()).flow_style)
            self.flow += flow
            node = compose(anchor)
            self.flow -= flow
            return node

    return Quick


# A block text's header with a comment right after its indicators, which PyYAML refuses
_COMMENT_AT_HEADER = re.compile(r"[|>][-+0-9]*#")


class _LeftToPyYAML(Exception):
    """libyaml's reading may differ from PyYAML's here: PyYAML reads the file."""


_QUICK, _QUICK_TYPED = _quick(_Loader), _quick(_TypedLoader)


def _composed(text: str, loader: _Loader, typed: bool) -> yaml.Node | None:
    """The document's node, composed from libyaml's events; where libyaml does not read it
    (or it goes over a bound), by PyYAML's own reader `loader`, whose error, with its words
    and its place, is the one people are told. A test holds the two to the same data and
    positions for every mapping yukimap ships and tests."""
    quick = _QUICK_TYPED if typed else _QUICK
    # libyaml takes tabs and byte order marks where PyYAML refuses them
    if quick is not None and "\t" not in text and "\ufeff" not in text:
        events = quick(text)
        try:
            return events.get_single_node()
        except Exception:  # noqa: BLE001, S110 -- PyYAML's reader below tells what it is
            pass
        finally:
            events.dispose()
    return loader.get_single_node()


@dataclass(frozen=True)
class Located:
    """Parsed YAML data and the position of each node, by key path."""

    data: Any
    file: str
    positions: dict[KeyPath, tuple[int, int]]

    def where(self, path: KeyPath) -> Where:
        """The location of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos:
                return Where(file=self.file, line=pos[0], col=pos[1], key=dotted(path))
        return Where(file=self.file, key=dotted(path))


def dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_yaml(text: str, file: str, *, typed: bool = False) -> Located:
    """`text` as plain data; scalars stay text unless they are true, false or empty, or,
    with `typed`, unless YAML 1.1 gives them a type (a number, a date, yes or no)."""
    try:
        loader = _TypedLoader(text) if typed else _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise MappingError(tr("{file} is not valid YAML", file=file),
                           problems=[_character_problem(exc, text, file)]) from None
    try:
        node = _composed(text, loader, typed)
    except yaml.MarkedYAMLError as exc:
        raise MappingError(
            tr("{file} is not valid YAML", file=file), problems=[_syntax_problem(exc, file)]
        ) from None
    except _OverLimit as exc:
        raise MappingError(tr("{file} goes over a limit of the YAML reader", file=file),
                           problems=[_limit_problem(exc, file)]) from None
    finally:
        loader.dispose()
    converter = _Converter(file, _TYPED_TAGS if typed else _SCALAR_TAGS)
    data = converter.value(node, ()) if node is not None else None
    if converter.problems:
        duplicates = converter.duplicates == len(converter.problems)
        raise MappingError(tr("{file} has duplicated keys", file=file) if duplicates
                           else tr("{file} has values yukimap cannot read", file=file),
                           problems=converter.problems)
    return Located(data, file, converter.positions)


def load_yaml_file(path: Path, what: str = "mapping file", *, typed: bool = False) -> Located:
    """Read a YAML file (a mapping, or a config file: `what` names it in messages) within
    the size bound, without reading more of it than the bound; `typed` as in load_yaml."""
    what = tr(_WHAT[what]) if what in _WHAT else what
    text = _read_bounded(path, what)
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingError(
            tr("{path} is not UTF-8 text (byte {byte})", path=path, byte=exc.start),
            hint=tr("save the {what} as UTF-8", what=what),
        ) from None
    return load_yaml(decoded, str(path), typed=typed)


def _read_bounded(path: Path, what: str) -> bytes:
    bound = limits().max_mapping_kb * 1024
    try:
        info = path.stat()
    except FileNotFoundError:
        raise MappingError(tr("{what} {path} does not exist", what=what, path=path)) from None
    if not stat.S_ISREG(info.st_mode):  # /dev/zero, a folder or a pipe never ends or blocks
        raise MappingError(tr("{what} {path} is not a file (a folder, a device or a pipe)",
                              what=what, path=path),
                           hint=tr("give the path of a YAML file"))
    with path.open("rb") as stream:
        data = stream.read(bound + 1)  # a file that grows, or lies about its size, stops here
    if len(data) > bound:
        size = math.ceil(max(info.st_size, len(data)) / 1024)
        found = (f"{size:,} KB" if info.st_size > bound
                 else tr("at least {size} KB", size=f"{size:,}"))
        message, hint = over("max_mapping_kb", f"{what} {path}", found)
        raise MappingError(message, hint=hint)
    return data


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    cause = exc.problem or tr("syntax error")
    if exc.context:
        cause = f"{exc.context}: {cause}"
    hint = tr("check the indentation and the quotes around this line")
    if "\t" in cause or "\\t" in cause:  # PyYAML's own (English) text
        hint = tr("YAML does not allow tabs for indentation; use spaces")
    return Problem(tr("YAML syntax error: {cause}", cause=cause),
                   Where(file=file, line=line, col=col), hint=hint)


def _character_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(tr("YAML does not allow the character U+{code} in a file", code=f"{code:04X}"),
                   Where(file=file, line=line, col=col),
                   hint=tr("remove it: of the control characters, YAML allows only tabs and line"
                           " breaks"))


def _limit_problem(exc: _OverLimit, file: str) -> Problem:
    where = Where(file=file, line=exc.mark.line + 1, col=exc.mark.column + 1)
    return Problem(exc.cause, where, hint=exc.hint)


class _Converter:
    """Composed nodes -> plain data, with the position of each by key path."""

    def __init__(self, file: str, tags: tuple[str, ...]) -> None:
        self.file = file
        self.tags = tags
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.duplicates = 0  # of the problems, duplicated keys

    def value(self, node: yaml.Node, path: KeyPath) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.refuse(key_node, path, tr("a key must be a plain value, not a list or a set"
                                               " of keys"), tr("write the key as text"))
                continue
            key = _key_text(self.scalar(key_node, path))
            if key in result:
                first = self.positions[path + (key,)]
                self.duplicates += 1
                self.problems.append(Problem(
                    tr("key '{key}' appears twice (first on line {line})", key=key,
                       line=first[0]),
                    Where(file=self.file, line=key_node.start_mark.line + 1,
                          col=key_node.start_mark.column + 1, key=dotted(path + (key,))),
                    hint=tr("keep one of them; YAML would silently use the last"),
                ))
                continue
            result[key] = self.value(value_node, path + (key,))
        return result

    def scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        """A scalar's value: text unless tagged; a tag yukimap has no use for is an error."""
        if node.tag not in self.tags:
            return self.refuse(node, path, tr("the YAML tag {tag} is not supported",
                                              tag=_short_tag(node.tag)), tr(_TAG_HINT))
        if node.tag == _STR:
            return node.value
        try:
            return yaml.SafeLoader.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except Exception:  # noqa: BLE001 -- PyYAML raises whatever it hits ('!!int ')
            return self.refuse(node, path, tr("the YAML tag {tag} does not fit this value",
                                              tag=_short_tag(node.tag)), tr(_TAG_HINT))

    def refuse(self, node: yaml.Node, path: KeyPath, cause: str, hint: str) -> None:
        where = Where(file=self.file, line=node.start_mark.line + 1,
                      col=node.start_mark.column + 1, key=dotted(path) or None)
        self.problems.append(Problem(cause, where, hint=hint))


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _short_tag(tag: str) -> str:
    if tag.startswith("tag:yaml.org,2002:"):
        return "!!" + tag.removeprefix("tag:yaml.org,2002:")
    return tag


def _key_text(key: Any) -> Any:
    if key is None:
        return ""
    if isinstance(key, bool):
        return "true" if key else "false"
    return key
