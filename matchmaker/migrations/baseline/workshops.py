"""The baseline's tables of workshops, their participants, slots, availability, meetings
and meeting requests."""

from __future__ import annotations

import sqlalchemy as sa

from matchmaker.migrations.baseline.types import enum


def define(md: sa.MetaData) -> None:
    sa.Table(
        "workshop",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("solved", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_workshop_theme_id", "theme_id"),
    )
    sa.Table(
        "participant",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", enum("language"), nullable=False),
        sa.Column("listing_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_participant_organisation_id", "organisation_id"),
        sa.Index("ix_participant_workshop_id", "workshop_id"),
    )
    sa.Table(
        "workshopslot",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_workshopslot_workshop_id", "workshop_id"),
    )
    sa.Table(
        "availability",
        md,
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["slot_id"], ["workshopslot.id"]),
        sa.PrimaryKeyConstraint("participant_id", "slot_id"),
    )
    sa.Table(
        "meeting",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("requested", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["first_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["listing.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["listing.id"]),
        sa.ForeignKeyConstraint(["second_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["slot_id"], ["workshopslot.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_meeting_workshop_id", "workshop_id"),
    )
    sa.Table(
        "meetingrequest",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("wanted_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["requester_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["wanted_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("requester_id", "wanted_id"),
        sa.Index("ix_meetingrequest_workshop_id", "workshop_id"),
    )
