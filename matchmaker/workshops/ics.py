"""The one adapter to `icalendar`: a participant's agenda as an .ics file, Helsinki time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Circular Valley Matchmaker//workshops//EN"


@dataclass
class Entry:
    uid: str  # stable across downloads, so a calendar updates the meeting instead of adding one
    starts: datetime  # aware
    ends: datetime
    summary: str
    description: str
    location: str


def calendar(name: str, entries: Sequence[Entry], stamp: datetime | None = None) -> bytes:
    """An iCalendar file of `entries`, each with its time zone (VTIMEZONE) included."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp or datetime.now(UTC))
        event.add("dtstart", entry.starts)
        event.add("dtend", entry.ends)
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
