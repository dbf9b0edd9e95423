"""The `template-noise` command: ingest, metrics, check, sample, serve."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from dashboard import db
from dashboard.errors import TemplateNoiseError
from dashboard.ingest import IngestReport, ingest


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
    for r in report.rejects[:50]:
        col = f" [{r.column}]" if r.column else ""
        print(f"  rejected {r.file}:{r.line}{col}: {r.reason}")
    if len(report.rejects) > 50:
        print(f"  ... and {len(report.rejects) - 50} more (see the rejects table)")


def cmd_ingest(args: argparse.Namespace) -> int:
    con = db.connect(args.db)
    report = ingest(con, args.paths, progress=None if args.format == "json" else _progress)
    _print_ingest(report, args.format)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from dashboard.sample import write_sample

    for path in write_sample(args.out, notifications=args.notifications, seed=args.seed):
        print(path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import subprocess
    from pathlib import Path

    app = Path(__file__).parent / "app.py"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--",
        *(["--db", str(args.db)] if args.db else []),
    ]
    return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    from pathlib import Path

    from dashboard.sample import DEFAULT_NOTIFICATIONS, DEFAULT_SEED

    parser = argparse.ArgumentParser(
        prog="template-noise", description="Find noisy in-app notification templates."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load notification logs; print the ingest report")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or globs")
    p.add_argument("--db", help="DuckDB file (default: in memory)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("sample", help="write a deterministic sample log")
    p.add_argument("--notifications", type=int, default=DEFAULT_NOTIFICATIONS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--out", type=Path, default=Path("sample_data"))
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("serve", help="open the dashboard")
    p.add_argument("--db", help="DuckDB file (default: the bundled sample, in memory)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="interface to bind (default: loopback)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except TemplateNoiseError as e:
        print(f"template-noise: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("template-noise: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
