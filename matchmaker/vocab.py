"""The closed vocabularies of the domain: kinds, categories, units, frequencies, statuses."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    company = "company"
    research = "research"
    municipality = "municipality"
    agency = "agency"
    facilitator = "facilitator"


class ListingKind(StrEnum):
    offer = "offer"
    need = "need"

    @property
    def opposite(self) -> ListingKind:
        return ListingKind.need if self is ListingKind.offer else ListingKind.offer


class Category(StrEnum):
    material = "material"  # material or side-stream
    energy = "energy"  # energy or water
    equipment = "equipment"  # equipment or space to share
    service = "service"  # service or expertise
    research = "research"  # pilot or research partnership


class Frequency(StrEnum):
    one_off = "one-off"
    weekly = "weekly"
    monthly = "monthly"
    yearly = "yearly"
    continuous = "continuous"


class AlertPeriod(StrEnum):
    """How often a member hears of new strong suggestions and saved-search results."""

    instant = "instant"  # within minutes, one message per run of `notify`
    daily = "daily"
    weekly = "weekly"
    off = "off"


class Unit(StrEnum):
    t = "t"
    kg = "kg"
    m3 = "m3"
    m2 = "m2"
    pcs = "pcs"
    MWh = "MWh"
    h = "h"


class Language(StrEnum):
    fi = "fi"
    sv = "sv"
    en = "en"


class Status(StrEnum):
    draft = "draft"
    pending = "pending"  # waiting for a facilitator's approval (setting approval_required)
    active = "active"
    closed = "closed"


class Role(StrEnum):
    member = "member"  # belongs to one organisation; edits that organisation's listings
    facilitator = "facilitator"  # curates matches, sees anonymous owners, imports
    admin = "admin"  # users, themes, settings


class Visibility(StrEnum):
    public = "public"
    anonymous = "anonymous"


class MatchStatus(StrEnum):
    suggested = "suggested"
    shortlisted = "shortlisted"
    introduced = "introduced"
    negotiating = "negotiating"
    pilot = "pilot"
    realised = "realised"
    rejected = "rejected"
    dropped = "dropped"


# How many times a year an amount recurs; a one-off or continuous amount counts once.
PER_YEAR: dict[Frequency, int] = {
    Frequency.one_off: 1,
    Frequency.weekly: 52,
    Frequency.monthly: 12,
    Frequency.yearly: 1,
    Frequency.continuous: 1,
}


# Mass units as tonnes, the unit amounts of mass are compared and reported in.
_IN_TONNES: dict[Unit, float] = {Unit.t: 1.0, Unit.kg: 0.001}


def in_tonnes(amount: float, unit: Unit) -> float | None:
    """`amount` of `unit` in tonnes; None when `unit` is not a mass."""
    factor = _IN_TONNES.get(unit)
    return None if factor is None else amount * factor


class InfoKind(StrEnum):
    """What an info-point item announces (infopoint/)."""

    research = "research"  # a research result
    funding = "funding"  # a funding call, with a deadline
    event = "event"  # an event, with a date and a place
    pilot = "pilot"  # a pilot opportunity
