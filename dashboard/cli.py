"""The `template-noise` command: ingest, metrics, check, simulate, sample, serve, watch, report."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from template_noise import __version__, db, store
from template_noise.errors import InputError, TemplateNoiseError
from template_noise.filters import Filters
from template_noise.ingest import IngestReport, ingest
from template_noise.steps import StepLog

REDACT_KEY_ENV = "TEMPLATE_NOISE_REDACT_KEY"

if TYPE_CHECKING:
    import duckdb
    from template_noise.config import Config
    from template_noise.metrics import Connection
    from template_noise.spark.engine import SparkEngine


def _notice(line: str) -> None:
    print(f"template-noise: {line}", file=sys.stderr, flush=True)


# Readers registered by this command, held until it exits: while one is held, an ingest
# into the same file writes a copy instead of the file this command reads.
_READERS: list[store.Reader] = []


def _read_db(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    """A read-only snapshot of --db FILE; waits (up to --wait) for a load writing it."""
    if not Path(args.db).is_file():
        raise InputError(f"{args.db}: no such database file")
    if args.wait < 0:
        raise InputError("--wait: give 0 or more seconds")
    reader = store.Reader(
        args.db,
        memory_limit=getattr(args, "memory_limit", None),
        wait=args.wait,
        notice=_notice,
    )
    _READERS.append(reader)
    return reader.connection()


def _progress(i: int, n: int, path: str) -> None:
    if path:
        print(f"[{i + 1}/{n}] loading {path}", file=sys.stderr, flush=True)


def _print_ingest(report: IngestReport, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_json(), indent=2))
        return
    for f in report.files:
        print(
            f"{f.file}: {f.events_loaded} events loaded, "
            f"{f.events_already_present} already present, {f.rejected} rejected"
        )
    print(
        f"total: {report.events_loaded} events loaded, "
        f"{report.events_already_present} already present, {report.rejected} rejected"
    )
    for m in report.merges:
        print(f"templates merged: {', '.join(m.was)} -> {m.template}")
    for line in report.config_names_old:
        print(f"  config: {line}")
    for r in report.rejects[:50]:
        col = f" [{r.column}]" if r.column else ""
        print(f"  rejected {r.file}:{r.line}{col}: {r.reason}")
    if len(report.rejects) > 50:
        print(f"  ... and {len(report.rejects) - 50} more (see the rejects table)")


def _ingest_config(args: argparse.Namespace) -> Config | None:
    """The --config a command loads logs with ([[templates]] overrides), if given."""
    from template_noise.config import load_config

    path = getattr(args, "config", None)
    return load_config(path) if path else None


def cmd_ingest(args: argparse.Namespace) -> int:
    progress = None if args.format == "json" else _progress
    # Long steps go to stderr in every format (stdout carries the report): a supervisor's
    # log shows how far a long load is.
    step = StepLog()
    config = _ingest_config(args)
    key = None
    if args.redact:
        key = os.environ.get(REDACT_KEY_ENV)
        if not key:
            raise InputError(f"--redact needs a secret key in the environment: {REDACT_KEY_ENV}")
    if args.db is None:
        con = db.connect(memory_limit=args.memory_limit)
        report = ingest(con, args.paths, progress, redact_key=key, config=config, step=step)
    else:
        # In place when no other process reads the file (nothing to copy), else into a
        # staging copy swapped in when complete: readers never see half a load.
        with store.writer(
            args.db, memory_limit=args.memory_limit, in_place=True, notice=_notice
        ) as con:
            report = ingest(con, args.paths, progress, redact_key=key, config=config, step=step)
    _print_ingest(report, args.format)
    return 0


def _timestamp(text: str | None, option: str) -> datetime | None:
    """ISO-8601 (no offset = UTC) or epoch milliseconds, as the logs accept; aware UTC."""
    if text is None:
        return None
    raw = text.strip()
    try:
        if re.fullmatch(r"-?[0-9]{1,15}", raw):
            return datetime.fromtimestamp(int(raw) / 1000, UTC)
        t = datetime.fromisoformat(raw)
    except (ValueError, OverflowError, OSError):
        raise InputError(
            f"{option}: not a timestamp: {text!r} (ISO-8601 or epoch milliseconds)"
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _spark_conf(pairs: Sequence[str]) -> dict[str, str]:
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--spark-conf: expected KEY=VALUE, got {pair!r}")
        conf[key.strip()] = value
    return conf


def _spark_engine(args: argparse.Namespace) -> SparkEngine:
    """Spark over the events of PATHs (exports as they are, raw logs normalised by the
    DuckDB ingest first) or of --db FILE (PATHs given too: loaded into it first)."""
    from template_noise.spark.engine import open_engine

    con = None
    paths = list(args.paths)
    if args.db is not None:
        con = _duckdb_events(args)
        paths = []
    elif not paths:
        raise InputError(f"{args.command}: give log files (PATH...) or --db FILE")
    return open_engine(
        paths,
        master=args.master,
        conf=_spark_conf(args.spark_conf),
        duckdb_con=con,
        progress=_progress,
    )


def _analysis_db(args: argparse.Namespace, lean: bool = False) -> Connection:
    """PATHs: ingest them (into --db if given, else into memory); --db alone: open it.
    --engine spark: a Spark engine over the same events (template_noise.spark.engine).
    lean: as _duckdb_events."""
    if getattr(args, "engine", "duckdb") == "spark":
        return _spark_engine(args)
    return _duckdb_events(args, lean)


def _duckdb_events(args: argparse.Namespace, lean: bool = False) -> duckdb.DuckDBPyConnection:
    """PATHs: ingest them (into --db if given, else into memory); --db alone: open it.
    lean: a load into memory keeps only what the metrics read (ingest's `lean`)."""
    config = _ingest_config(args) if args.paths else None
    if args.paths and args.db is None:
        con = db.connect(memory_limit=args.memory_limit)
        ingest(con, args.paths, progress=_progress, config=config, step=StepLog(), lean=lean)
        return con
    if args.paths:  # as `ingest --db`: in place unless a reader is registered
        with store.writer(
            args.db, memory_limit=args.memory_limit, in_place=True, notice=_notice
        ) as con:
            ingest(con, args.paths, progress=_progress, config=config, step=StepLog())
    if args.db is None:
        raise InputError(f"{args.command}: give log files (PATH...) or --db FILE")
    return _read_db(args)


def cmd_metrics(args: argparse.Namespace) -> int:
    from template_noise import metrics, metrics_report
    from template_noise.config import load_config

    config = load_config(args.config)
    filters = Filters(
        since=_timestamp(args.since, "--since"),
        until=_timestamp(args.until, "--until"),
        as_of=_timestamp(args.as_of, "--as-of"),
    )
    if filters.since and filters.until and filters.since >= filters.until:
        raise InputError("--since must be earlier than --until")
    if args.rollups is not None:
        return _metrics_from_rollups(args, filters, config)
    # The metrics alone: a load into memory keeps only what they read.
    con = _analysis_db(args, lean=True)
    if args.format == "json":
        print(json.dumps(metrics.metrics_json(con, filters, config), indent=2, allow_nan=False))
        return 0
    df = metrics.compute_metrics(con, filters, config)
    if args.format == "csv":
        sys.stdout.write(metrics_report.render_csv(metrics_report.for_users(df)))
    else:
        as_of = metrics.resolve_as_of(con, filters, config)
        sys.stdout.write(metrics_report.render_table(df, metrics.jsonable(as_of)))
    return 0


def _metrics_from_rollups(args: argparse.Namespace, filters: Filters, config: Config) -> int:
    from template_noise import metrics_report
    from template_noise.spark import rollups

    if args.paths or args.db or args.engine != "duckdb" or filters.as_of is not None:
        raise InputError("--rollups reads roll-ups alone: no PATH, --db, --engine or --as-of")
    con = db.connect()
    if args.format == "json":
        out = rollups.rollup_metrics_json(con, args.rollups, filters, config)
        print(json.dumps(out, indent=2, allow_nan=False))
        return 0
    df = rollups.rollup_metrics(con, args.rollups, filters, config)
    if args.format == "csv":
        sys.stdout.write(metrics_report.render_csv(metrics_report.for_users(df)))
    else:
        as_of = rollups.rollup_metrics_json(con, args.rollups, filters, config)["as_of"]
        sys.stdout.write(metrics_report.render_table(df, as_of))
    return 0


def cmd_spark_rollups(args: argparse.Namespace) -> int:
    from template_noise.config import load_config
    from template_noise.spark.rollups import write_rollups

    config = load_config(args.config)
    filters = Filters(
        since=_timestamp(args.since, "--since"),
        until=_timestamp(args.until, "--until"),
        as_of=_timestamp(args.as_of, "--as-of"),
    )
    print(write_rollups(_spark_engine(args), args.out, filters, config))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from template_noise import checklist, release
    from template_noise.config import load_config

    config = load_config(args.config)
    if args.require_signoff and args.db is None:
        raise InputError("--require-signoff needs --db FILE (sign-offs live in the database)")
    max_age = args.max_data_age
    if max_age is _CONFIG_AGE:
        max_age = config.max_data_age_hours
    if max_age is not None and (max_age != max_age or max_age <= 0):
        raise InputError("--max-data-age: give a number of hours above 0")
    con = _analysis_db(args)
    if getattr(args, "engine", "duckdb") == "spark":  # no sign-offs nor fingerprint there
        if args.require_signoff or max_age is not None:
            raise InputError("--require-signoff and --max-data-age need --engine duckdb")
        result = checklist.evaluate(con, config, strict=args.strict)
    else:
        result = release.evaluate(
            con,  # type: ignore[arg-type]
            config,
            strict=args.strict,
            require_signoff=args.require_signoff,
            max_data_age_hours=max_age,
        )
    sys.stdout.write(checklist.RENDERERS[args.format](result))
    if result.context is not None:
        for reason in result.context.blocked_by:
            _notice(reason)
    return result.exit_code


_CONFIG_AGE = float("inf")  # --max-data-age without a number: the config's max_data_age_hours


def _hours(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None


def cmd_export(args: argparse.Namespace) -> int:
    from template_noise.spark.engine import export_events

    print(export_events(_duckdb_events(args), args.out))
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from template_noise import templates_report

    items = templates_report.template_list(_duckdb_events(args))
    if args.format == "json":
        print(json.dumps(templates_report.as_json(items), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(templates_report.render_table(items))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from template_noise.sample import write_sample

    for path in write_sample(args.out, notifications=args.notifications, seed=args.seed):
        print(path)
    return 0


DEFAULT_MAX_UPLOAD_MB = 200


def serve_command(args: argparse.Namespace) -> list[str]:
    """The streamlit command line `serve` runs: loopback only unless --address says
    otherwise, a minimal toolbar, uploads capped, and the grid's own CSV export off (it
    copies cells as they are; the pages offer downloads with formulas neutralised)."""
    from template_noise.app import MAIN_SCRIPT

    app_args: list[str] = []
    if args.db:
        app_args += ["--db", str(args.db)]
    if args.config:
        app_args += ["--config", str(Path(args.config).resolve())]
    if args.data_dir:
        app_args += ["--data-dir", str(Path(args.data_dir).resolve())]
    if args.rollups:
        app_args += ["--rollups", str(Path(args.rollups).resolve())]
    return [
        sys.executable, "-m", "streamlit", "run", str(MAIN_SCRIPT),
        "--server.port", str(args.port),
        "--server.address", args.address,
        "--server.headless", "true",
        "--server.maxUploadSize", str(args.max_upload_mb),
        "--client.toolbarMode", "minimal",
        "--client.disableDataExport", "true",
        "--browser.gatherUsageStats", "false",
        "--",
        *app_args,
    ]  # fmt: skip


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def login_configured(cwd: Path) -> bool:
    """Whether Streamlit will find an [auth] section in a secrets.toml (project or user)."""
    import tomllib

    for secrets in (cwd / ".streamlit" / "secrets.toml", Path.home() / ".streamlit/secrets.toml"):
        try:
            if "auth" in tomllib.loads(secrets.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return False


def serve_warnings(args: argparse.Namespace, cwd: Path) -> list[str]:
    if args.address not in LOOPBACK and not login_configured(cwd):
        return [
            f"serving on {args.address} without a login ([auth] in .streamlit/secrets.toml): "
            "anyone who can reach this address can read the data and sign off"
        ]
    return []


def cmd_serve(args: argparse.Namespace) -> int:
    if args.max_upload_mb < 1:
        raise InputError("--max-upload-mb must be at least 1")
    if args.data_dir and not Path(args.data_dir).is_dir():
        raise InputError(f"--data-dir {args.data_dir}: no such directory")
    if args.rollups:
        from template_noise.spark.rollups import rollup_glob

        if args.db:
            raise InputError("serve: give --db FILE (the events) or --rollups DIR, not both")
        rollup_glob(args.rollups)  # a clear error now rather than on the first page
    for warning in serve_warnings(args, Path.cwd()):
        print(f"template-noise: warning: {warning}", file=sys.stderr)
    # Streamlit replaces this process rather than running as its child: a supervisor's
    # SIGTERM (or Ctrl-C) reaches the server itself, which stops and releases the database;
    # a child would outlive a parent that was told to stop.
    sys.stdout.flush()
    sys.stderr.flush()
    command = serve_command(args)
    os.execv(command[0], command)


def cmd_simulate(args: argparse.Namespace) -> int:
    from template_noise.config import load_config
    from template_noise.whatif import load_policy, report, simulate
    from template_noise.whatif.suggest import suggest

    config = load_config(args.config)
    as_of = _timestamp(args.as_of, "--as-of")
    if args.policy is None and not args.suggest:
        raise InputError("simulate: give --policy FILE, or --suggest")
    policy = load_policy(args.policy) if args.policy else None
    con = _duckdb_events(args)
    if args.suggest:
        suggestions = suggest(con, config, base=policy, as_of=as_of)
        if args.format == "json":
            print(json.dumps(suggestions.as_json(), indent=2, allow_nan=False))
        else:
            sys.stdout.write(report.render_suggestions(suggestions))
        return 0
    assert policy is not None
    result = simulate(con, policy, config, as_of)
    if args.format == "json":
        print(json.dumps(result.as_json(), indent=2, allow_nan=False))
    else:
        sys.stdout.write(report.render_table(result))
    return 0


def _signoff_db(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    con = _read_db(args)
    if (db.schema_version(con) or 1) < 2:
        raise InputError(
            f"{args.db}: written before sign-offs were chained (schema version 1); "
            "any write with this version (a load or a sign-off) upgrades it"
        )
    return con


def cmd_signoffs_verify(args: argparse.Namespace) -> int:
    from template_noise import signoff

    report = signoff.verify(_signoff_db(args), head=args.head)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "intact": report.intact,
                    "signoffs": report.rows,
                    "head": report.head,
                    "problems": [vars(p) for p in report.problems],
                    "unverifiable": report.legacy,
                },
                indent=2,
            )
        )
        return 0 if report.intact else 1
    if report.intact:
        print(f"intact: {report.rows} sign-off(s), head {report.head or '-'}")
    else:
        print(f"TAMPERED: sign-off(s) {', '.join(f'#{i}' for i in report.ids)}")
        for problem in report.problems:
            print(f"  {problem.kind}: {problem.detail}")
    if report.legacy:
        print(
            f"note: {len(report.legacy)} sign-off(s) stored before the chain existed "
            f"(#{report.legacy[0]}-#{report.legacy[-1]}) carry no hash and cannot be verified"
        )
    return 0 if report.intact else 1


def cmd_signoffs_list(args: argparse.Namespace) -> int:
    from template_noise import signoff

    stored = signoff.history(_signoff_db(args))
    if args.format == "json":
        rows = [
            {
                "signoff_id": s.signoff_id,
                "signed_at": s.signed_at.isoformat(),
                "name": s.name,
                "email": s.email or None,
                "identity": s.identity,
                "role": s.role,
                "status": s.status,
                "decision": s.decision or None,
                "notes": s.notes,
                "waivers": s.waivers,
                "data_fingerprint": s.data_fingerprint,
                "config_fingerprint": s.config_fingerprint or None,
                "row_hash": s.row_hash,
            }
            for s in stored
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not stored:
        print("no sign-off yet")
    for s in stored:
        who = f"{s.name} <{s.email}>" if s.email else s.name
        print(
            f"#{s.signoff_id}  {s.signed_at:%Y-%m-%d %H:%M:%S} UTC  {s.status:<4}  "
            f"{s.decision or '-':<7}  "
            f"{who} ({s.role}, {s.identity or 'typed'})  {s.row_hash[:12]}"
        )
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from template_noise.config import load_config
    from template_noise.watch import detect, notify, settings

    config = load_config(args.config)
    owners = settings.owners(config)
    delivery = settings.notify_settings(config) if args.notify else None
    since = _timestamp(args.since, "--since")
    as_of = _timestamp(args.as_of, "--as-of")

    def owner_of(template: str) -> str | None:
        owner = settings.owner_for(owners, template)
        return owner.name if owner else None

    def run(con: duckdb.DuckDBPyConnection) -> tuple[detect.WatchResult, list[notify.Delivery]]:
        if args.paths:
            progress = None if args.format == "json" else _progress
            ingest(con, args.paths, progress=progress, step=StepLog())
        result = detect.run_watch(con, config, since=since, as_of=as_of, owner_of=owner_of)
        done: list[notify.Delivery] = []
        if delivery is not None:
            notify.queue(con, result.alerts, owners)
            done = notify.deliver_pending(con, delivery)
        return result, done

    if args.db is None:
        if not args.paths:
            raise InputError("watch: give log files (PATH...) or --db FILE")
        result, done = run(db.connect(memory_limit=args.memory_limit))
    else:
        if not args.paths and not Path(args.db).is_file():
            raise InputError(f"{args.db}: no such database file")
        # The alerts are state kept in the database: watch writes it, as a load does.
        with store.writer(
            args.db, memory_limit=args.memory_limit, in_place=True, wait=args.wait,
            notice=_notice,
        ) as con:  # fmt: skip
            result, done = run(con)
    if args.format == "json":
        print(json.dumps(result.as_json(), indent=2, allow_nan=False))
    else:
        sys.stdout.write(detect.render_text(result))
    for d in done:
        if d.status != "sent":
            _notice(
                f"delivery of {d.alert_id} ({d.event}) via {d.channel} to {d.target} failed "
                f"after {d.attempts} attempt(s): {d.error}; retried on the next run"
            )
    return result.exit_code


def cmd_report(args: argparse.Namespace) -> int:
    from template_noise.config import load_config
    from template_noise.watch import report

    config = load_config(args.config)
    since = _timestamp(args.since, "--since")
    built = report.build(_duckdb_events(args), config, since)
    render = report.render_html if args.format == "html" else report.render_markdown
    sys.stdout.write(render(built))
    return 0


def _add_memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--memory-limit", metavar="SIZE", help="cap DuckDB's memory, e.g. 4GB (spills to disk)"
    )


def _add_wait_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wait",
        type=float,
        default=store.DEFAULT_WAIT_S,
        metavar="SECONDS",
        help="with --db: how long to wait for a load writing the file before giving up "
        f"(default: {store.DEFAULT_WAIT_S:g})",
    )


def _add_engine_options(p: argparse.ArgumentParser, choose: bool = True) -> None:
    if choose:
        p.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="where the queries run (spark: needs the `spark` extra; see docs/spark.md)",
        )
    p.add_argument(
        "--master", metavar="URL", help="Spark master (default: local[*] or spark-submit's)"
    )
    p.add_argument(
        "--spark-conf",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a Spark setting, repeatable (e.g. spark.executor.memory=8g)",
    )


def build_parser() -> argparse.ArgumentParser:
    from pathlib import Path

    from template_noise.sample import DEFAULT_NOTIFICATIONS, DEFAULT_SEED

    parser = argparse.ArgumentParser(
        prog="template-noise", description="Find noisy in-app notification templates."
    )
    parser.add_argument("--version", action="version", version=f"template-noise {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load notification logs; print the ingest report")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or globs")
    p.add_argument("--db", help="DuckDB file (default: in memory)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--redact",
        action="store_true",
        help=f"store user ids as keyed hashes (key from ${REDACT_KEY_ENV}) and drop bodies",
    )
    p.add_argument(
        "--config", metavar="FILE", help="TOML whose [[templates]] overrides name titles"
    )
    _add_memory_option(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("templates", help="every template, its source and titles, to confirm")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument(
        "--config", metavar="FILE", help="TOML whose [[templates]] overrides name titles"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_memory_option(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("metrics", help="per-template metrics, flags and the noise ranking")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument("--since", metavar="TS", help="window start on created_at (inclusive)")
    p.add_argument("--until", metavar="TS", help="window end on created_at (exclusive)")
    p.add_argument("--as-of", metavar="TS", help="analysis instant (default: the latest event)")
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument(
        "--rollups", metavar="DIR", help="compute from daily roll-ups (spark-rollups --out DIR)"
    )
    _add_memory_option(p)
    _add_engine_options(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("check", help="the go-live checklist; exit 1 when an item fails")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    p.add_argument("--strict", action="store_true", help="items without data fail too")
    p.add_argument("--format", choices=["text", "json", "markdown", "junit"], default="text")
    p.add_argument(
        "--require-signoff",
        action="store_true",
        help="with --db: exit 1 unless the newest sign-off approves this data fingerprint "
        "under this config fingerprint (new data or other thresholds need a new sign-off)",
    )
    p.add_argument(
        "--max-data-age",
        nargs="?",
        type=_hours,
        const=_CONFIG_AGE,
        default=None,
        metavar="HOURS",
        help="exit 1 when the newest event is older than HOURS (without a number: the "
        "config's max_data_age_hours, default 24; without the option: no age limit)",
    )
    _add_memory_option(p)
    _add_engine_options(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "spark-rollups", help="on Spark: write per-template daily roll-ups as Parquet"
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="events exports or log files")
    p.add_argument("--db", help="DuckDB file whose events to roll up")
    p.add_argument("--out", required=True, help="directory (or URI) for template_daily/")
    p.add_argument("--since", metavar="TS", help="window start on created_at (inclusive)")
    p.add_argument("--until", metavar="TS", help="window end on created_at (exclusive)")
    p.add_argument("--as-of", metavar="TS", help="analysis instant (default: the latest event)")
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    _add_memory_option(p)
    _add_engine_options(p, choose=False)
    _add_wait_option(p)
    p.set_defaults(func=cmd_spark_rollups)

    p = sub.add_parser("export", help="write the normalised events as Parquet (for Spark)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument("--out", type=Path, required=True, help="directory for events.parquet")
    _add_memory_option(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("sample", help="write a deterministic sample log")
    p.add_argument("--notifications", type=int, default=DEFAULT_NOTIFICATIONS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--out", type=Path, default=Path("sample_data"))
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("serve", help="open the dashboard")
    p.add_argument("--db", help="DuckDB file (default: the bundled sample, in memory)")
    p.add_argument(
        "--rollups",
        metavar="DIR",
        help="show Spark roll-ups (spark-rollups --out DIR) instead of a database: the "
        "ranking and trends per day; pages that need the events say so",
    )
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="interface to bind (default: loopback)")
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the Data page loads server paths only under DIR "
        "(default: ./sample_data if it exists; otherwise uploads only)",
    )
    p.add_argument(
        "--max-upload-mb",
        type=int,
        default=DEFAULT_MAX_UPLOAD_MB,
        metavar="MB",
        help=f"largest file the Data page accepts (default: {DEFAULT_MAX_UPLOAD_MB})",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("watch", help="alerts on spikes, drops and surges; exit 1 when one is open")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files to load first")
    p.add_argument("--db", help="DuckDB file holding the events and the alert state")
    p.add_argument(
        "--since", metavar="TS", help="first hour to judge (default: after the previous run)"
    )
    p.add_argument("--as-of", metavar="TS", help="judge up to this instant (default: latest event)")
    p.add_argument("--config", metavar="FILE", help="sensitivity, owners and delivery settings")
    p.add_argument(
        "--notify", action="store_true", help="send opened and resolved alerts to their owners"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    _add_memory_option(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("report", help="the weekly noise report (Markdown or HTML)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument(
        "--since", metavar="TS", help="period start (default: 7 days before the latest event)"
    )
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    p.add_argument("--format", choices=["markdown", "html"], default="markdown")
    _add_memory_option(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "simulate", help="what-if: replay a dedup, digest, throttle or expiry policy on the logs"
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="log files, directories or globs")
    p.add_argument("--db", help="DuckDB file (with PATHs: load them into it first)")
    p.add_argument("--policy", metavar="FILE", help="the policy to replay (TOML; docs/whatif.md)")
    p.add_argument(
        "--suggest",
        action="store_true",
        help="propose, per noisy template, the mildest policy that clears its noisy flags "
        "(printed as a policy file; with --policy: on top of that policy)",
    )
    p.add_argument("--as-of", metavar="TS", help="analysis instant (default: the latest event)")
    p.add_argument("--config", metavar="FILE", help="thresholds TOML over the shipped defaults")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_memory_option(p)
    _add_wait_option(p)
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("signoffs", help="the stored sign-offs: list them, verify their chain")
    signoffs = p.add_subparsers(dest="signoffs_command", required=True)
    q = signoffs.add_parser("verify", help="exit 1 naming any sign-off edited or deleted")
    q.add_argument("--db", required=True, help="DuckDB file")
    q.add_argument("--head", metavar="HASH", help="a row hash kept elsewhere that must remain")
    q.add_argument("--format", choices=["text", "json"], default="text")
    _add_wait_option(q)
    q.set_defaults(func=cmd_signoffs_verify)
    q = signoffs.add_parser("list", help="every sign-off, newest first")
    q.add_argument("--db", required=True, help="DuckDB file")
    q.add_argument("--format", choices=["text", "json"], default="text")
    _add_wait_option(q)
    q.set_defaults(func=cmd_signoffs_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except TemplateNoiseError as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "Out of Memory" in message:
            message += " (raise --memory-limit, or free memory on this machine)"
        print(f"template-noise: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("template-noise: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (`metrics ... | head`): not an error of ours.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
