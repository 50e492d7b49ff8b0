"""The baseline's tables of matches, their events, introductions and requests of interest."""

from __future__ import annotations

import sqlalchemy as sa

from matchmaker.migrations.baseline.types import enum


def define(md: sa.MetaData) -> None:
    sa.Table(
        "match",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=True),
        sa.Column("explanation", sa.String(), nullable=False),
        sa.Column(
            "status",
            enum("matchstatus"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("offer_revealed", sa.Boolean(), nullable=False),
        sa.Column("need_revealed", sa.Boolean(), nullable=False),
        sa.Column("amount_per_year", sa.Float(), nullable=True),
        sa.Column(
            "amount_unit",
            enum("unit"),
            nullable=True,
        ),
        sa.Column("tonnes_per_year", sa.Float(), nullable=True),
        sa.Column("co2e_t_per_year", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["need_id"], ["listing.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["listing.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "need_id"),
        sa.Index("ix_match_need_id", "need_id"),
        sa.Index("ix_match_offer_id", "offer_id"),
        sa.Index("ix_match_status", "status"),
        sa.Index("ix_match_theme_id", "theme_id"),
        sa.Index("ix_match_updated_at", "updated_at"),
    )
    sa.Table(
        "matchevent",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "from_status",
            enum("matchstatus"),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            enum("matchstatus"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_matchevent_match_id", "match_id"),
    )
    sa.Table(
        "introduction",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("language", enum("language"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["outboxmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_introduction_match_id", "match_id"),
    )
    sa.Table(
        "interestrequest",
        md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_interestrequest_match_id", "match_id"),
        sa.Index("ix_interestrequest_organisation_id", "organisation_id"),
    )
