"""Command-line interface: each command parses its options, calls the library, and maps KGError to exit 1.

A subpackage: the group and the core commands (build, eval) live here, every further command in a
module of its own (``kg/cli/<command>.py``), imported only when that command runs or help lists it:
importing them all would cost every command the export's and the view's libraries (networkx, pyvis,
about a second).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeVar, cast

import click

from kg import __version__
from kg.errors import KGError

F = TypeVar("F", bound=Callable[..., Any])


class CommandGroup(click.Group):
    """The ``kg`` group: commands defined here, plus one per module of this package, imported on demand."""

    def _module_commands(self) -> list[str]:
        import pkgutil

        return sorted(m.name for m in pkgutil.iter_modules(__path__))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._module_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self._module_commands():
            import importlib

            importlib.import_module(f"{__name__}.{cmd_name}")  # its decorator adds it to the group
        return super().get_command(ctx, cmd_name)


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: knowledge graphs of who helps which village, from Chinese news text."""


def graph_option(
    holds: str, *, dest: str = "graph_dir", also: str = "", file_okay: bool = True
) -> Callable[[F], F]:
    """The ``--graph OUT_DIR`` option that commands reading a build share.

    Args:
        holds: What the command reads from the directory, for the help text.
        dest: Name of the command function's parameter.
        also: What else ``--graph`` may name, appended to the help text.
        file_okay: Whether a file (not only a directory) is accepted.
    """
    return click.option(
        "--graph",
        dest,
        default="build",
        show_default=True,
        type=click.Path(path_type=Path, file_okay=file_okay),
        help=f"Output directory of `kg build` ({holds}){also}.",
    )


WHOLE_OUTPUTS_HELP = (
    "Write graph.ttl and graph.html whatever the graph's size; --no-whole-outputs: never "
    "[default: up to 1 000 000 triples; the store holds the graph either way]."
)


def whole_outputs_option() -> Callable[[F], F]:
    """``--whole-outputs/--no-whole-outputs``, unset by default (the build decides by size)."""
    return click.option("--whole-outputs/--no-whole-outputs", default=None, help=WHOLE_OUTPUTS_HELP)


@main.command()
@click.argument("corpus_dir", default="corpus", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Directory for graph.ttl, graph.html, report.json, the store and the cache.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores]."
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where documents are processed: local processes or a Dask cluster.",
)
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a local cluster).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; errors only.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Also list every document with its facts and time, and the timings."
)
@whole_outputs_option()
def build(
    corpus_dir: Path,
    out_dir: Path,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    quiet: bool,
    verbose: bool,
    whole_outputs: bool | None,
) -> None:
    """Build the graph of CORPUS_DIR (default: corpus/) into OUT_DIR.

    Files of other kinds than .txt, .html, .pdf and .docx are listed in report.json as skipped, with
    the reason. Ctrl-C stops the build (exit status 130) and leaves OUT_DIR as it was.
    """
    from kg.corpus import list_corpus
    from kg.pipeline import build as build_corpus
    from kg.pipeline import default_jobs

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    # progress on stderr: stdout keeps the summary alone, for a pipe or a log
    progress_stream: TextIO = cast(TextIO, _Null()) if quiet else sys.stderr
    try:
        total = len(list_corpus(corpus_dir, exclude=[out_dir]))
        with click.progressbar(
            length=total,
            label="Building",
            file=progress_stream,
            show_pos=True,
        ) as bar:
            report = build_corpus(
                corpus_dir,
                out_dir,
                progress=lambda _: bar.update(1),
                jobs=jobs or default_jobs(),
                engine=engine,
                scheduler=scheduler,
                whole_outputs=whole_outputs,
            )
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        _interrupted(f"build stopped, {out_dir}/ left as it was")
    if verbose:
        _detail(report)
    if not quiet:
        _summarise(report, out_dir)


def _interrupted(what: str) -> NoReturn:
    """Ctrl-C: one line instead of click's "Aborted!" (exit 1); 130 is what shells report for SIGINT."""
    click.echo(f"\ninterrupted: {what}", err=True)
    raise SystemExit(130) from None


def _detail(report: dict[str, Any]) -> None:
    for row in report["documents"]:
        if row["status"] == "ok":
            state = "unchanged" if row.get("cached") else f"{row.get('seconds', 0):.2f} s"
            click.echo(f"  {row['doc_id']}: {row.get('facts', 0)} facts ({state})", err=True)
    timings = ", ".join(f"{k} {v} s" for k, v in report.get("timings_s", {}).items())
    if timings:
        click.echo(f"  timings: {timings}", err=True)


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.option(
    "--graph",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output directory of `kg build`.",
)
@whole_outputs_option()
def remove(doc_ids: tuple[str, ...], out_dir: Path, whole_outputs: bool | None) -> None:
    """Retract the facts of DOC_IDS (file names as in report.json) from a build.

    The files stay in the corpus, so the next `kg build` reads them again: name them in the corpus's
    .kgignore file (or move them out of the corpus) to keep them out.
    """
    import json

    from kg.pipeline import remove as remove_documents

    try:
        before = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
        facts = {row["doc_id"]: row.get("facts", 0) for row in before.get("documents", [])}
    except (OSError, ValueError, AttributeError):
        facts = {}  # remove_documents says what is wrong with the build
    try:
        report = remove_documents(out_dir, doc_ids, whole_outputs=whole_outputs)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        _interrupted(f"kg remove stopped, {out_dir}/ left as it was")
    for doc_id in sorted(set(doc_ids)):
        click.echo(f"removed {doc_id} ({facts.get(doc_id, 0)} facts)")
    _summarise(report, out_dir, removing=True)
    corpus = report.get("corpus") or "the corpus"
    names = " ".join(sorted(set(doc_ids)))
    click.echo(
        f"the files are still in {corpus}/ and the next `kg build` reads them again; to keep them out, "
        f"add them to {corpus}/.kgignore (one per line: {names}) or move them out of {corpus}/",
        err=True,
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output directory of the `kg build` to add to.",
)
@click.option(
    "--corpus",
    "corpus_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Corpus directory to copy the files into [default: the one the build was made from].",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes."
)
@whole_outputs_option()
def add(
    files: tuple[Path, ...], out_dir: Path, corpus_dir: Path | None, jobs: int, whole_outputs: bool | None
) -> None:
    """Add FILES (new or changed articles) to the build in OUT_DIR.

    The files are copied into the build's corpus directory, so a later `kg build` keeps them; only
    they are analysed, and only the graphs they change are rewritten. The result equals a clean
    build of the corpus with the files in it.
    """
    from kg.pipeline import add as add_files

    try:
        report = add_files(files, out_dir, corpus_dir=corpus_dir, jobs=jobs, whole_outputs=whole_outputs)
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        _interrupted(
            f"kg add stopped, {out_dir}/ left as it was (files it copied into the corpus stay there)"
        )
    rows = {row["doc_id"]: row for row in report["documents"]}
    for doc_id, state in report["added"].items():
        row = rows.get(doc_id, {})
        if row.get("status") == "ok":
            click.echo(f"{state} {doc_id} ({row.get('facts', 0)} facts)")
        else:
            click.echo(f"skipped {doc_id}: {row.get('reason', 'not in the corpus')}", err=True)
    _summarise(report, out_dir)


def _summarise(report: dict[str, Any], out_dir: Path, *, removing: bool = False) -> None:
    counts = report["counts"]
    for row in report["documents"]:
        if row["status"] != "ok":
            click.echo(f"skipped {row['doc_id']}: {row['reason']}", err=True)
    facts = ", ".join(f"{k} {v}" for k, v in counts["facts"].items())
    cached = sum(1 for row in report["documents"] if row.get("cached"))
    # after `kg remove` every document is from the cache: "(4 unchanged)" would say nothing
    built = "left in the build" if removing else f"built ({cached} unchanged)"
    click.echo(
        f"{counts['documents'].get('ok', 0)} documents {built}, "
        f"{counts['documents'].get('skipped', 0)} skipped; "
        f"{counts['entities_total']} entities; {counts['facts_total']} facts ({facts}) -> {out_dir}/"
    )


class _Null:
    """A file that swallows writes (click's progress bar needs one)."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


@main.command(name="eval")
@click.argument("gold_dir", default="corpus/gold", type=click.Path(path_type=Path))
@graph_option("holds graph.ttl")
@click.option(
    "--doc", "docs", multiple=True, help="Score only these documents; shell-style patterns (d2?.txt) too."
)
@click.option(
    "--split",
    "splits",
    multiple=True,
    metavar="NAME=PATTERNS",
    help="Score a named part of the gold separately (dev='d0?.txt,d1?.txt'); repeatable, one table each.",
)
@click.option(
    "--scores",
    "scores_only",
    is_flag=True,
    help="Scores only: no false positives or misses (held-out parts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full evaluation as JSON.")
def eval_(
    gold_dir: Path,
    graph_dir: Path,
    docs: tuple[str, ...],
    splits: tuple[str, ...],
    scores_only: bool,
    as_json: bool,
) -> None:
    """Precision, recall and F1 of a built graph against the gold facts in GOLD_DIR."""
    import json

    from kg.evaluate import evaluate, format_table, load_gold, select_documents
    from kg.store import load_graph

    parts: list[tuple[str, tuple[str, ...]]] = []
    for split in splits:
        name, _, listed = split.partition("=")
        if not name or not listed:
            raise click.UsageError(f"--split {split!r}: write NAME=PATTERNS, e.g. test='d2?.txt,d30.txt'")
        parts.append((name, tuple(p.strip() for p in listed.split(",") if p.strip())))
    if not parts:
        parts = [("", docs)]
    try:
        gold = load_gold(gold_dir)
        graph = load_graph(graph_dir / "graph.ttl")
        results = []
        for name, patterns in parts:
            chosen = select_documents(gold, patterns) if patterns else None
            if chosen is not None and not chosen:
                raise click.ClickException(
                    f"{name or '--doc'}: no gold document matches {', '.join(patterns)}"
                )
            results.append((name, evaluate(graph, gold, docs=chosen)))
    except KGError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        payload = {name: r.as_dict() for name, r in results} if splits else results[0][1].as_dict()
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for number, (name, result) in enumerate(results):
        if number:
            click.echo()
        if name:
            click.echo(f"{name}:")
        click.echo(format_table(result))
        if scores_only:
            continue
        if result.false_positives:
            click.echo("\nFalse positives:")
            for f in result.false_positives:
                click.echo(f"  {f.predicate}({f.subject}, {f.object})  « {f.evidence[:80]} »")
        if result.misses:
            click.echo("\nMisses:")
            for g in result.misses:
                click.echo(
                    f"  {g.predicate}({g.subject[0]}, {g.object[0]})  « {g.evidence[:80]} »  [{g.doc}]"
                )
