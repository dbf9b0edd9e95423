"""The user documentation against the product (README.md and docs/*.md).

- Every `template-noise COMMAND [SUBCOMMAND] --flag` the docs name, in code blocks and in
  inline code, exists in the real command line: the command among build_parser()'s
  subparsers and each flag among that command's options (argparse's parser objects are
  walked; nothing is run).
- No link leaves the repository, and every relative link resolves to a file (and, with an
  #anchor, to a heading of it).
- The README stays at most 250 lines and its Quick start is exactly the two commands.
- docs/metrics.md names every metric, flag, config key and checklist item, and every column
  `metrics` prints for a template.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from template_noise import checklist, db, metrics
from template_noise.cli import build_parser
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
METRICS_DOC = ROOT / "docs" / "metrics.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"

README_MAX_LINES = 250
QUICK_START = ["bash scripts/dashboard.sh", "bash scripts/test.sh"]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
FLAG = re.compile(r"--[A-Za-z][A-Za-z0-9-]*")
# A shell pipeline's separators; a bare `|` is not one: usage lines write `text|json`.
SEPARATOR = re.compile(r"&&|\|\||;\s|\s\|\s")


# --- reading Markdown -------------------------------------------------------------------


@dataclass(frozen=True)
class Markdown:
    prose: str  # the text outside fenced code blocks
    blocks: list[list[str]]  # the lines of each fenced code block


def parse(text: str) -> Markdown:
    prose: list[str] = []
    blocks: list[list[str]] = []
    fence: str | None = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            blocks.append([])
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is not None:
            blocks[-1].append(line)
        else:
            prose.append(line)
    return Markdown("\n".join(prose), blocks)


def read(path: Path) -> Markdown:
    return parse(path.read_text(encoding="utf-8"))


def inline_code(prose: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", prose, re.S)]


def without_inline_code(prose: str) -> str:
    return re.sub(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", prose, flags=re.S)


def block_commands(lines: list[str]) -> list[str]:
    """The shell commands of a code block: continuations joined, comments cut, pipelines and
    command lists split."""
    joined: list[str] = []
    carry = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            carry += line.rstrip()[:-1] + " "
            continue
        joined.append(carry + line)
        carry = ""
    if carry:
        joined.append(carry)
    out = []
    for line in joined:
        code = re.sub(r"(^|\s)#.*$", "", line)
        out += [part.strip() for part in SEPARATOR.split(code) if part.strip()]
    return out


# --- the command line -------------------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return set(parser._option_string_actions)


PARSER = build_parser()
COMMANDS = subcommands(PARSER)


@dataclass(frozen=True)
class Mention:
    where: str  # file:line-ish, for the failure message
    command: tuple[str, ...]  # () for the top level, ("signoffs", "verify")...
    flags: tuple[str, ...]

    @property
    def name(self) -> str:
        return " ".join(("template-noise", *self.command))


def _is_program(token: str) -> bool:
    """`template-noise`, a path ending in it, or `ExecStart=...template-noise`."""
    return re.fullmatch(r"(?:.*[/=])?template-noise", token) is not None


def mention_from(tokens: list[str], where: str) -> Mention | None:
    """The command and flags of `tokens` (the words after the program name)."""
    if not tokens or tokens[0].startswith(("<", "[", "`")):
        return None  # a placeholder (`template-noise <command> --help`) or nothing
    command: tuple[str, ...] = ()
    rest = tokens
    if not tokens[0].startswith("-"):
        command, rest = (tokens[0],), tokens[1:]
        parser = COMMANDS.get(tokens[0])
        if parser is not None and subcommands(parser) and rest and not rest[0].startswith("-"):
            command, rest = (tokens[0], rest[0]), rest[1:]
    flags = tuple(
        f
        for token in rest
        for f in FLAG.findall(token)
        if token.startswith(("-", "[", "(", "'", '"'))
    )
    return Mention(where, command, flags)


def mentions(path: Path) -> list[Mention]:
    doc = read(path)
    found: list[Mention] = []
    rel = path.relative_to(ROOT)
    for i, block in enumerate(doc.blocks, 1):
        for command in block_commands(block):
            tokens = command.split()
            starts = [j for j, t in enumerate(tokens) if _is_program(t)]
            for j, start in enumerate(starts):
                end = starts[j + 1] if j + 1 < len(starts) else len(tokens)
                m = mention_from(tokens[start + 1 : end], f"{rel}, code block {i}: {command}")
                if m is not None:
                    found.append(m)
    for span in inline_code(doc.prose):
        for command in SEPARATOR.split(span):
            tokens = command.split()
            if not tokens:
                continue
            if _is_program(tokens[0]):
                m = mention_from(tokens[1:], f"{rel}: `{span}`")
            elif tokens[0] in COMMANDS and any(t.startswith("--") for t in tokens[1:]):
                # `ingest --redact`, `signoffs verify --head`: a command named without the
                # program, with its flags.
                m = mention_from(tokens, f"{rel}: `{span}`")
            else:
                m = None
            if m is not None:
                found.append(m)
    return found


MENTIONS = [m for path in DOCS for m in mentions(path)]


def parser_for(command: tuple[str, ...]) -> argparse.ArgumentParser | None:
    parser: argparse.ArgumentParser | None = PARSER
    for word in command:
        parser = subcommands(parser).get(word) if parser is not None else None
    return parser


def test_the_docs_name_commands() -> None:
    """The parsing above finds what it should (a test of the test)."""
    named = {m.name for m in MENTIONS}
    assert {"template-noise ingest", "template-noise metrics", "template-noise check"} <= named
    assert "template-noise signoffs verify" in named
    assert len({(m.command, f) for m in MENTIONS for f in m.flags}) > 20


@pytest.mark.parametrize(
    "command",
    sorted({m.command for m in MENTIONS}),
    ids=lambda c: " ".join(c) or "(top level)",
)
def test_every_command_named_in_the_docs_exists(command: tuple[str, ...]) -> None:
    where = [m.where for m in MENTIONS if m.command == command]
    parser = parser_for(command)
    assert parser is not None, f"no such command: template-noise {' '.join(command)} ({where})"
    if command and subcommands(parser):
        pytest.fail(f"template-noise {command[0]} needs one of {sorted(subcommands(parser))}")


FLAGS_NAMED = sorted({(m.command, f) for m in MENTIONS for f in m.flags})


@pytest.mark.parametrize(
    ("command", "flag"), FLAGS_NAMED, ids=[" ".join((*c, f)) for c, f in FLAGS_NAMED]
)
def test_every_flag_named_in_the_docs_exists(command: tuple[str, ...], flag: str) -> None:
    parser = parser_for(command)
    if parser is None:
        pytest.skip("the command itself is missing (reported above)")
    where = sorted({m.where for m in MENTIONS if m.command == command and flag in m.flags})
    assert flag in options(parser), (
        f"template-noise {' '.join(command)} has no option {flag}; named in: {where[:3]}"
    )


# --- links --------------------------------------------------------------------------------

LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]+)>", re.I)
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.I)


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets (GitHub's rule, for the characters used here)."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    doc = read(path)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", doc.prose, re.M)}


def links(path: Path) -> list[str]:
    """Link targets, reference definitions, <autolinks> and bare URLs (which renderers
    turn into links) outside code."""
    prose = without_inline_code(read(path).prose)
    found = [m.group(1) for pattern in (LINK, REFERENCE, AUTOLINK) for m in pattern.finditer(prose)]
    rest = AUTOLINK.sub("", REFERENCE.sub("", LINK.sub("", prose)))
    return found + [m.group(0).rstrip(".,;:)!?'\"") for m in BARE_URL.finditer(rest)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_in_the_repository_and_resolve(path: Path) -> None:
    problems = []
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("//", "www.")):
            problems.append(f"{target}: leaves the repository")
            continue
        if target.startswith("/"):
            problems.append(f"{target}: absolute path (write it relative to {path.name})")
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif resolved not in DOCS:
            # The docs travel together (the repository, the sdist): a link into the source
            # tree breaks for whoever reads them from a release.
            problems.append(f"{target}: not README.md or a page of docs/")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading #{anchor} in {resolved.name}")
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_link_check_sees_links() -> None:
    """A test of the test: the README links into docs/."""
    assert any(t.startswith("docs/") for t in links(README))


# --- the README -------------------------------------------------------------------------


def test_the_readme_is_at_most_250_lines() -> None:
    n = len(README.read_text(encoding="utf-8").splitlines())
    assert n <= README_MAX_LINES, f"README.md has {n} lines (at most {README_MAX_LINES})"


def test_the_quick_start_is_exactly_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section is not None, "README.md has no '## Quick start' section"
    commands = [c for block in parse(section.group(1)).blocks for c in block_commands(block)]
    assert commands == QUICK_START
    for command in commands:
        assert (ROOT / command.split()[-1]).is_file()


# --- docs/metrics.md names everything a user sees -----------------------------------------


def _documented() -> set[str]:
    """Every identifier docs/metrics.md writes in inline code or in a code block."""
    doc = read(METRICS_DOC)
    code = [*inline_code(doc.prose), *("\n".join(block) for block in doc.blocks)]
    return {name for text in code for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}


def _missing(names: list[str] | tuple[str, ...]) -> list[str]:
    documented = _documented()
    return [n for n in names if n not in documented]


def test_every_metric_is_documented() -> None:
    assert not _missing(metrics.METRICS), "docs/metrics.md does not name these metrics"


def test_every_flag_is_documented() -> None:
    assert not _missing(metrics.FLAG_NAMES), "docs/metrics.md does not name these flags"


def test_every_checklist_item_is_documented() -> None:
    ids = [item.id for item in checklist.ITEMS]
    assert not _missing(ids), "docs/metrics.md does not name these checklist items"


def test_every_threshold_is_documented() -> None:
    """Every key of the shipped defaults.toml: the thresholds a user can change."""
    text = resources.files("template_noise").joinpath("defaults.toml").read_text("utf-8")
    keys: list[str] = []

    def walk(table: dict[str, object]) -> None:
        for key, value in table.items():
            keys.append(key)
            if isinstance(value, dict):
                walk(value)

    walk(tomllib.loads(text))
    assert not _missing(keys), "docs/metrics.md does not name these config keys"


def test_every_column_of_the_metrics_output_is_documented() -> None:
    """What `metrics` really prints for each template (on the bundled sample)."""
    con = db.connect()
    ingest(con, [str(SAMPLE)])
    df = metrics.compute_metrics(con, Filters(), load_config())
    assert not _missing([str(c) for c in df.columns]), "docs/metrics.md misses these columns"
