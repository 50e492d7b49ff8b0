"""The baseline's enum types: each name with its values, once (PostgreSQL keeps one type of
each, which every column of that name shares)."""

from __future__ import annotations

import sqlalchemy as sa

VALUES: dict[str, tuple[str, ...]] = {
    "alertperiod": ("instant", "daily", "weekly", "off"),
    "category": ("material", "energy", "equipment", "service", "research"),
    "frequency": ("one_off", "weekly", "monthly", "yearly", "continuous"),
    "infokind": ("research", "funding", "event", "pilot"),
    "language": ("fi", "sv", "en"),
    "listingkind": ("offer", "need"),
    "matchstatus": (
        "suggested",
        "shortlisted",
        "introduced",
        "negotiating",
        "pilot",
        "realised",
        "rejected",
        "dropped",
    ),
    "orgkind": ("company", "research", "municipality", "agency", "facilitator"),
    "role": ("member", "facilitator", "admin"),
    "status": ("draft", "pending", "active", "closed"),
    "unit": ("t", "kg", "m3", "m2", "pcs", "MWh", "h"),
    "visibility": ("public", "anonymous"),
}


def enum(name: str) -> sa.Enum:
    """A column's type of the enum `name`, as the baseline made it."""
    return sa.Enum(*VALUES[name], name=name)
