"""Screenshots of a member's side, fi and en: my organisation, and a digest e-mail as read.

A need that fits the demo member's crushed concrete is posted by another organisation; `notify`
sends the member their digest; the same digest is then worded in each language and shown as a
plain-text message, which is what the member's mail program receives. The member then asks for
an introduction, so their page shows the request in the facilitators' hands."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from matchmaker.tools.shotkit import browser, log_in, new_page, shot

NEED = {
    "theme": "construction",
    "kind": "need",
    "category": "material",
    "title": "Tarvitsemme murskattua purkubetonia 0/45 kenttärakenteisiin Vantaalla",
    "description": "Murskattua purkubetonia 0/45 varastokentän kantavaksi kerrokseksi "
    "Vantaalla, noin 1 500 tonnia keväällä.",
    "language": "fi",
    "quantity": 1500,
    "unit": "t",
    "frequency": "one-off",
    "municipality": "Vantaa",
}
PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>{subject}</title>
<body style="font-family: system-ui, sans-serif; background: #eef1f4; margin: 0; padding: 24px">
<div style="max-width: 860px; margin: auto; background: #fff; border: 1px solid #ccd3da;
border-radius: 6px; box-shadow: 0 1px 3px #0002">
<dl style="margin: 0; padding: 14px 20px; border-bottom: 1px solid #ccd3da; display: grid;
grid-template-columns: max-content 1fr; gap: 4px 14px; font-size: 14px; color: #333">
<dt>From</dt><dd style="margin:0">{sender}</dd><dt>To</dt><dd style="margin:0">{to}</dd>
<dt>Subject</dt><dd style="margin:0"><strong>{subject}</strong></dd></dl>
<pre style="margin: 0; padding: 20px; white-space: pre-wrap; font: 15px/1.5 ui-monospace,
monospace">{body}</pre></div></body></html>"""


def digests(app: Any, account: dict[str, str], langs: tuple[str, ...]) -> dict[str, str]:
    """Post the fitting need, run notify, and word the member's digest in each language."""
    from sqlmodel import Session, select

    from matchmaker.accounts.auth import Principal
    from matchmaker.alerts import digests as digest_mail
    from matchmaker.alerts import notify
    from matchmaker.listings import service
    from matchmaker.listings.schemas import ListingCreate
    from matchmaker.members import service as members
    from matchmaker.members.schemas import InterestIn
    from matchmaker.tables import Digest, Notice, Organisation, User, saved_id
    from matchmaker.vocab import Language

    settings, matcher = app.state.settings, app.state.matcher
    with Session(app.state.db_engine) as s:
        org = s.exec(select(Organisation).where(Organisation.key == "maansiirto-hyvonen")).one()
        data = ListingCreate.model_validate({**NEED, "organisation_id": org.id})
        need = service.create_listing(s, data=data, matcher=matcher)
        notify.run(s, settings, matcher, force=True)
        member = s.exec(select(User).where(User.email == account["email"])).one()
        digest = s.exec(select(Digest).where(Digest.user_id == member.id)).first()
        if digest is None:
            raise RuntimeError("the demo member got no digest: no strong suggestion was found")
        notices = list(s.exec(select(Notice).where(Notice.digest_id == digest.id)))
        pages = {}
        for lang in langs:
            reader = User.model_validate(member.model_dump())
            reader.language = Language(lang)
            worded = digest_mail.compose(s, settings, reader, notices)
            assert worded is not None
            subject, body, _ = worded
            pages[lang] = PAGE.format(
                lang=lang,
                subject=html.escape(subject),
                sender=html.escape(settings.mail_from),
                to=html.escape(member.email),
                body=html.escape(body),
            )
        viewer = Principal(user=member)
        mine = next(n.about_id for n in notices if n.new_id == need.id)  # what the digest named
        note = "Murske on valmiina toukokuussa; toimitus Vantaalle onnistuu."
        members.ask(
            s,
            matcher,
            viewer,
            listing_id=saved_id(need),
            data=InterestIn(mine=mine, note=note),
        )
        return pages


def take_member(
    base: str, out: Path, app: Any, account: dict[str, str], langs: tuple[str, ...] = ("fi", "en")
) -> list[Path]:
    letters = digests(app, account, langs)
    saved: list[Path] = []
    with browser() as chromium:
        for lang in langs:
            page = new_page(chromium, lang)
            page.goto(f"{base}/?lang={lang}")
            log_in(page, base, account)
            page.goto(f"{base}/my")
            page.locator(".my-listings").wait_for()
            saved.append(shot(page, out / f"member-{lang}.png"))
            page.goto("about:blank")  # the letter is not one of our pages: no site CSP on it
            page.set_content(letters[lang])
            saved.append(shot(page, out / f"digest-{lang}.png"))
            page.context.close()
    return saved
