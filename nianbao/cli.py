"""The `nianbao` command line: what a user needs besides `scrapy crawl bureaus` and `datasette`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]


@click.group()
def main() -> None:
    """nianbao — archive of transport bureaus' government information disclosure annual reports."""


@main.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--url",
    default=None,
    help="The URL the page was fetched from, to resolve relative links (default: the file's own URL).",
)
@click.option(
    "--encoding",
    default=None,
    help="Decode the file with this charset (default: UTF-8, falling back to GB18030).",
)
@click.option(
    "--family",
    default=None,
    help="The page's CMS family (trs, hanweb, gkml, jpaas, legacy): its body rules are tried first.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Say how the body was found and which rule dropped each line, then print the kept text.",
)
def extract(
    page: Path, url: str | None, encoding: str | None, family: str | None, explain: bool
) -> None:
    """Print the clean text and metadata of one saved portal page as JSON.

    This is how a user debugs a new portal: save the page, run this, see what the archive would keep;
    with --explain, see why each line that is not kept went.
    """
    from crawler.extract import explain_page, extract_page
    from crawler.families.charset import decide_charset

    raw = page.read_bytes()
    # Saved pages keep their portal's bytes: GBK pages are decoded as the crawler decodes them (UTF-8
    # when the bytes are UTF-8, else the <meta> charset, else GB18030) unless --encoding says otherwise.
    html = raw.decode(encoding or decide_charset(raw), errors="replace")
    page_url = url or page.resolve().as_uri()
    if not explain:
        result = extract_page(html, page_url, family=family)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    trace = explain_page(html, page_url, family=family)
    how = trace["body"]
    found = f"{how['family']} / {how['rule']} ({how['tier']})" if how["family"] else how["rule"]
    click.echo(f"body: {found}")
    for text, rule in trace["hidden"]:
        click.echo(f"hidden [{rule}]: {text}")
    for text, rule in trace["dropped"]:
        click.echo(f"dropped [{rule}]: {text}")
    for text, rule in trace["outside"]:  # not in the body; the rule says it is chrome anyway
        click.echo(f"outside body [{rule}]: {text}" if rule else f"outside body: {text}")
    result = trace["result"]
    click.echo(f"title: {result['title']}")
    click.echo(f"published: {result['published']}")
    click.echo("kept:")
    click.echo(result["text"])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
def portals(host: str) -> None:
    """Serve the fictional sample portals on loopback until Ctrl-C (tests, demo and benchmarks only)."""
    from sample_portals import server

    server.main(host=host)


@main.command("build-archive")
@click.option(
    "--registry", default="sample", show_default=True, help="sample, bureaus or a YAML path."
)
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(path_type=Path))
@click.option("--bureau", default=None, help="Only these bureau ids (comma-separated).")
@click.option(
    "--portals/--no-portals",
    default=None,
    help="Start the sample portals for the crawl (default: only for the sample registry).",
)
def build_archive(registry: str, db: Path, bureau: str | None, portals: bool | None) -> None:
    """Crawl a registry into the archive with `scrapy crawl bureaus`.

    For the sample registry the sample portals are started on loopback first (unless they already answer)
    and politeness is turned off, because they are our own servers.
    """
    db.parent.mkdir(parents=True, exist_ok=True)
    if portals is None:
        portals = registry == "sample"
    stop = None
    if portals:
        from sample_portals import server

        stop = server.start_in_thread()
    try:
        code = run_crawl(registry=registry, db=db, bureau=bureau, polite=registry != "sample")
    finally:
        if stop:
            stop()
    if code:
        raise click.ClickException(f"scrapy crawl bureaus exited with {code}")
    click.echo(f"archive written to {db}")


def run_crawl(
    registry: str,
    db: Path,
    bureau: str | None = None,
    polite: bool = True,
    extra: list[str] | None = None,
) -> int:
    """Run the real `scrapy crawl bureaus` in a subprocess and return its exit code.

    A subprocess keeps Twisted's reactor out of the caller, so tests and the CLI can crawl more than once.
    """
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "bureaus",
        "-a",
        f"registry={registry}",
        "-a",
        f"db={db}",
    ]
    if bureau:
        cmd += ["-a", f"bureau={bureau}"]
    env = dict(os.environ)
    if not polite:
        env["NIANBAO_POLITE"] = "0"
    cmd += extra or []
    return subprocess.call(cmd, cwd=ROOT, env=env)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Report year, when the tables do not tell.")
@click.option("--ocr/--no-ocr", default=True, help="Read scanned PDF pages by OCR (default: yes).")
def tables(file: Path, year: int | None, ocr: bool) -> None:
    """Print the statutory tables of one report (HTML page, text file or PDF) as one JSON object.

    How a user checks one report by hand: every cell with its canonical code and its evidence (method,
    page, raw string, label as printed and its distance, confidence, arithmetic), the sums that fail,
    and `complete` / `missing`: false and the cells, whenever anything of the layout was not read.
    """
    from archive.tables import parse_file

    result = parse_file(file, year, ocr=ocr).to_json()
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


@main.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--baseline", is_flag=True, help="Also score bare trafilatura on the same detail pages."
)
def eval_(folder: Path, baseline: bool) -> None:
    """Score extraction on FOLDER's pages against FOLDER/expect.json (see crawler/evaluate.py)."""
    from crawler.evaluate import evaluate_dir, report

    click.echo(report(evaluate_dir(folder), "nianbao"))
    if baseline:
        click.echo(report(evaluate_dir(folder, baseline=True), "bare trafilatura"))


@main.command()
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(path_type=Path))
def restats(db: Path) -> None:
    """Recompute the statutory tables (disclosure_stats, stats_checks) of every annual report.

    For an archive whose reports were saved before it had these tables, or after the table parser
    improved; reports whose figures did not change are not rewritten, so running it twice is harmless.
    """
    from archive.ingest import Archive
    from archive.tables import restats as recompute

    if not db.exists():
        raise click.ClickException(f"no archive at {db}")
    with Archive(db) as archive:
        counts = recompute(archive.conn)
    click.echo(json.dumps(counts, ensure_ascii=False))


@main.command("optimize-index")
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(path_type=Path))
def optimize_index_(db: Path) -> None:
    """Merge the search index into one segment (FTS5 'optimize'), after a large crawl.

    Every save batch leaves a segment that FTS5 merges only a few at a time, and a search past the count
    cap probes the index once per report: at 1 M reports the search page's p95 was 54 ms with the
    segments a build leaves, 41 ms after this (10.8 s). `nianbao reextract` into an empty archive does it
    itself.
    """
    from archive.db import open_db
    from archive.search import optimize_index

    if not db.exists():
        raise click.ClickException(f"no archive at {db}")
    database = open_db(db)
    try:
        optimize_index(database.conn)
    finally:
        database.conn.close()
    click.echo(f"search index of {db} merged into one segment")


@main.command()
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(path_type=Path))
@click.option(
    "--warc-dir",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Where the crawl's WARC files are (default: warc/ beside the archive).",
)
@click.option(
    "--registry", default=None, help="Also load bureau rows from this registry (fresh archives)."
)
@click.option(
    "--doc-timeout",
    default=None,
    type=float,
    help="Seconds an attachment reader may take per file (default: the crawl's, 60).",
)
@click.option(
    "--jobs",
    default=None,
    type=click.IntRange(min=1),
    help="Pages rebuilt at once, in worker processes (default: one per CPU; 1: no workers).",
)
def reextract(
    db: Path,
    warc_dir: Path | None,
    registry: str | None,
    doc_timeout: float | None,
    jobs: int | None,
) -> None:
    """Rebuild texts, tables and the search index from the WARC files, without any network.

    Run it after improving extraction: every report gets the new code's reading of what was fetched, and
    a text that changes is a new version in report_versions.
    """
    from crawler.reextract import reextract as run

    warc_dir = warc_dir or db.parent / "warc"
    # counts first, then every record, file or attachment that could not be rebuilt (file and offset)
    from crawler.docguard import Limits

    limits = Limits(timeout=doc_timeout) if doc_timeout else None
    click.echo(str(run(db, warc_dir, registry=registry, limits=limits, jobs=jobs)))


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def distributed(args: tuple[str, ...]) -> None:
    """Scale-out crawl: scrapy-redis workers and one archive writer (`--help` for its options).

    The options are crawler/distributed.py's; this command adds the sample portals, served on loopback
    for the sample registry (or with --portals), which the crawler never starts itself."""
    from crawler import distributed as coordinator
    from sample_portals import server

    sys.exit(coordinator.main(list(args), start_portals=server.start_in_thread))


if __name__ == "__main__":
    main()
