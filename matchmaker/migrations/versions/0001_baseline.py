"""Baseline: the schema of the last release without migrations (4257b74), every table.

Made by autogenerate against an empty database, then tidied: plain indexes (no batch copies),
and each table made only where it is missing. A database of that release, or of one before it,
has some or all of them: db.upgrade() first adds the columns those lack (db.ADDED_COLUMNS),
then this revision makes the rest.

Revision ID: 0001
Revises: nothing, the first revision
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# PostgreSQL makes a type of each; create_table makes it, drop_table leaves it
ENUMS = (
    "alertperiod",
    "category",
    "frequency",
    "infokind",
    "language",
    "listingkind",
    "matchstatus",
    "orgkind",
    "role",
    "status",
    "unit",
    "visibility",
)


def upgrade() -> None:
    # a database of an earlier release has some or all of these tables (db.upgrade gave it the
    # columns it lacked): each table, with its indexes, is made only where it is missing
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "emissionfactor" not in have:
        op.create_table(
            "emissionfactor",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=40), nullable=False),
            sa.Column("theme", sa.String(length=40), nullable=False),
            sa.Column("ewc_prefix", sa.String(length=6), nullable=False),
            sa.Column("material_fi", sa.String(length=200), nullable=False),
            sa.Column("material_sv", sa.String(length=200), nullable=False),
            sa.Column("material_en", sa.String(length=200), nullable=False),
            sa.Column("co2e", sa.Float(), nullable=False),
            sa.Column("per", sa.String(length=4), nullable=False),
            sa.Column("density_t_per_m3", sa.Float(), nullable=True),
            sa.Column("t_per_piece", sa.Float(), nullable=True),
            sa.Column("basis_fi", sa.String(length=500), nullable=False),
            sa.Column("basis_sv", sa.String(length=500), nullable=False),
            sa.Column("basis_en", sa.String(length=500), nullable=False),
            sa.Column("source", sa.String(length=500), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_emissionfactor_key"), "emissionfactor", ["key"], unique=True)
    if "jobmark" not in have:
        op.create_table(
            "jobmark",
            sa.Column("name", sa.String(length=60), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )
    if "organisation" not in have:
        op.create_table(
            "organisation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=80), nullable=True),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column(
                "kind",
                sa.Enum(
                    "company", "research", "municipality", "agency", "facilitator", name="orgkind"
                ),
                nullable=False,
            ),
            sa.Column("municipality", sa.String(length=80), nullable=True),
            sa.Column("contact_name", sa.String(length=200), nullable=True),
            sa.Column("contact_email", sa.String(length=254), nullable=True),
            sa.Column("website", sa.String(length=300), nullable=True),
            sa.Column("description", sa.String(length=2000), nullable=True),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_organisation_key"), "organisation", ["key"], unique=True)
    if "outboxmessage" not in have:
        op.create_table(
            "outboxmessage",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("to", sa.String(length=254), nullable=False),
            sa.Column("subject", sa.String(length=300), nullable=False),
            sa.Column("body", sa.String(), nullable=False),
            sa.Column("secret", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("error", sa.String(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
    if "subscriber" not in have:
        op.create_table(
            "subscriber",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("themes", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_subscriber_email"), "subscriber", ["email"], unique=True)
    if "theme" not in have:
        op.create_table(
            "theme",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("slug", sa.String(length=40), nullable=False),
            sa.Column("name_fi", sa.String(length=120), nullable=False),
            sa.Column("name_sv", sa.String(length=120), nullable=False),
            sa.Column("name_en", sa.String(length=120), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_theme_slug"), "theme", ["slug"], unique=True)
    if "listing" not in have:
        op.create_table(
            "listing",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=80), nullable=True),
            sa.Column("organisation_id", sa.Integer(), nullable=False),
            sa.Column("theme_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.Enum("offer", "need", name="listingkind"), nullable=False),
            sa.Column(
                "category",
                sa.Enum("material", "energy", "equipment", "service", "research", name="category"),
                nullable=False,
            ),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("description", sa.String(length=5000), nullable=False),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("quantity", sa.Float(), nullable=True),
            sa.Column(
                "unit",
                sa.Enum("t", "kg", "m3", "m2", "pcs", "MWh", "h", name="unit"),
                nullable=True,
            ),
            sa.Column(
                "frequency",
                sa.Enum("one_off", "weekly", "monthly", "yearly", "continuous", name="frequency"),
                nullable=True,
            ),
            sa.Column("municipality", sa.String(length=80), nullable=True),
            sa.Column("ewc_code", sa.String(length=6), nullable=True),
            sa.Column("accepted_codes", sa.JSON(), nullable=True),
            sa.Column("available_from", sa.Date(), nullable=True),
            sa.Column("available_until", sa.Date(), nullable=True),
            sa.Column(
                "status",
                sa.Enum("draft", "pending", "active", "closed", name="status"),
                nullable=False,
            ),
            sa.Column(
                "visibility", sa.Enum("public", "anonymous", name="visibility"), nullable=False
            ),
            sa.Column("reminded_for", sa.Date(), nullable=True),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["theme_id"],
                ["theme.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_listing_key"), "listing", ["key"], unique=True)
        op.create_index(op.f("ix_listing_kind"), "listing", ["kind"], unique=False)
        op.create_index(
            op.f("ix_listing_organisation_id"), "listing", ["organisation_id"], unique=False
        )
        op.create_index(op.f("ix_listing_status"), "listing", ["status"], unique=False)
        op.create_index(op.f("ix_listing_theme_id"), "listing", ["theme_id"], unique=False)
    if "user" not in have:
        op.create_table(
            "user",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("password_hash", sa.String(length=200), nullable=False),
            sa.Column(
                "role", sa.Enum("member", "facilitator", "admin", name="role"), nullable=False
            ),
            sa.Column("organisation_id", sa.Integer(), nullable=True),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column(
                "alerts",
                sa.Enum("instant", "daily", "weekly", "off", name="alertperiod"),
                nullable=False,
            ),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_user_email"), "user", ["email"], unique=True)
    if "apitoken" not in have:
        op.create_table(
            "apitoken",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_apitoken_token_hash"), "apitoken", ["token_hash"], unique=True)
        op.create_index(op.f("ix_apitoken_user_id"), "apitoken", ["user_id"], unique=False)
    if "auditentry" not in have:
        op.create_table(
            "auditentry",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("action", sa.String(length=60), nullable=False),
            sa.Column("target", sa.String(length=120), nullable=False),
            sa.Column("detail", sa.JSON(), nullable=True),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_auditentry_at"), "auditentry", ["at"], unique=False)
    if "digest" not in have:
        op.create_table(
            "digest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("period", sa.String(length=60), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("outbox_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["outbox_id"],
                ["outboxmessage.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("user_id", "period"),
        )
        op.create_index(op.f("ix_digest_user_id"), "digest", ["user_id"], unique=False)
    if "infoitem" not in have:
        op.create_table(
            "infoitem",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=80), nullable=True),
            sa.Column(
                "kind",
                sa.Enum("research", "funding", "event", "pilot", name="infokind"),
                nullable=False,
            ),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("summary", sa.String(length=2000), nullable=False),
            sa.Column("url", sa.String(length=500), nullable=True),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("themes", sa.JSON(), nullable=True),
            sa.Column("deadline", sa.Date(), nullable=True),
            sa.Column("event_date", sa.Date(), nullable=True),
            sa.Column("place", sa.String(length=200), nullable=True),
            sa.Column("published", sa.Boolean(), nullable=False),
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["created_by"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_infoitem_key"), "infoitem", ["key"], unique=True)
        op.create_index(op.f("ix_infoitem_kind"), "infoitem", ["kind"], unique=False)
        op.create_index(op.f("ix_infoitem_published"), "infoitem", ["published"], unique=False)
        op.create_index(
            op.f("ix_infoitem_published_at"), "infoitem", ["published_at"], unique=False
        )
    if "joinrequest" not in have:
        op.create_table(
            "joinrequest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("organisation", sa.String(length=200), nullable=False),
            sa.Column(
                "kind",
                sa.Enum(
                    "company", "research", "municipality", "agency", "facilitator", name="orgkind"
                ),
                nullable=False,
            ),
            sa.Column("municipality", sa.String(length=80), nullable=True),
            sa.Column("contact_name", sa.String(length=200), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("about", sa.String(length=2000), nullable=False),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("reason", sa.String(length=1000), nullable=False),
            sa.Column("organisation_id", sa.Integer(), nullable=True),
            sa.Column("decided_by", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["decided_by"],
                ["user.id"],
            ),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_joinrequest_status"), "joinrequest", ["status"], unique=False)
    if "listingvector" not in have:
        op.create_table(
            "listingvector",
            sa.Column("listing_id", sa.Integer(), nullable=False),
            sa.Column("model", sa.String(length=200), nullable=False),
            sa.Column("text_hash", sa.String(length=64), nullable=False),
            sa.Column("vector", sa.LargeBinary(), nullable=False),
            sa.ForeignKeyConstraint(
                ["listing_id"],
                ["listing.id"],
            ),
            sa.PrimaryKeyConstraint("listing_id", "model"),
        )
    if "mailing" not in have:
        op.create_table(
            "mailing",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("subject", sa.String(length=200), nullable=False),
            sa.Column("body", sa.String(length=20000), nullable=False),
            sa.Column("themes", sa.JSON(), nullable=True),
            sa.Column("author_id", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["author_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
    if "match" not in have:
        op.create_table(
            "match",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("offer_id", sa.Integer(), nullable=False),
            sa.Column("need_id", sa.Integer(), nullable=False),
            sa.Column("theme_id", sa.Integer(), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("parts", sa.JSON(), nullable=True),
            sa.Column("explanation", sa.String(), nullable=False),
            sa.Column(
                "status",
                sa.Enum(
                    "suggested",
                    "shortlisted",
                    "introduced",
                    "negotiating",
                    "pilot",
                    "realised",
                    "rejected",
                    "dropped",
                    name="matchstatus",
                ),
                nullable=False,
            ),
            sa.Column("reason", sa.String(length=60), nullable=True),
            sa.Column("offer_revealed", sa.Boolean(), nullable=False),
            sa.Column("need_revealed", sa.Boolean(), nullable=False),
            sa.Column("amount_per_year", sa.Float(), nullable=True),
            sa.Column(
                "amount_unit",
                sa.Enum("t", "kg", "m3", "m2", "pcs", "MWh", "h", name="unit"),
                nullable=True,
            ),
            sa.Column("tonnes_per_year", sa.Float(), nullable=True),
            sa.Column("co2e_t_per_year", sa.Float(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["need_id"],
                ["listing.id"],
            ),
            sa.ForeignKeyConstraint(
                ["offer_id"],
                ["listing.id"],
            ),
            sa.ForeignKeyConstraint(
                ["theme_id"],
                ["theme.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("offer_id", "need_id"),
        )
        op.create_index(op.f("ix_match_need_id"), "match", ["need_id"], unique=False)
        op.create_index(op.f("ix_match_offer_id"), "match", ["offer_id"], unique=False)
        op.create_index(op.f("ix_match_status"), "match", ["status"], unique=False)
        op.create_index(op.f("ix_match_theme_id"), "match", ["theme_id"], unique=False)
        op.create_index(op.f("ix_match_updated_at"), "match", ["updated_at"], unique=False)
    if "membervisit" not in have:
        op.create_table(
            "membervisit",
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("user_id"),
        )
    if "onetimetoken" not in have:
        op.create_table(
            "onetimetoken",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("purpose", sa.String(length=20), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column(
                "role", sa.Enum("member", "facilitator", "admin", name="role"), nullable=False
            ),
            sa.Column("organisation_id", sa.Integer(), nullable=True),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["created_by"],
                ["user.id"],
            ),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_onetimetoken_token_hash"), "onetimetoken", ["token_hash"], unique=True
        )
    if "savedsearch" not in have:
        op.create_table(
            "savedsearch",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("text", sa.String(length=300), nullable=False),
            sa.Column("theme_id", sa.Integer(), nullable=True),
            sa.Column("kind", sa.Enum("offer", "need", name="listingkind"), nullable=True),
            sa.Column(
                "category",
                sa.Enum("material", "energy", "equipment", "service", "research", name="category"),
                nullable=True,
            ),
            sa.Column("municipality", sa.String(length=80), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["theme_id"],
                ["theme.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_savedsearch_user_id"), "savedsearch", ["user_id"], unique=False)
    if "usersession" not in have:
        op.create_table(
            "usersession",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_usersession_token_hash"), "usersession", ["token_hash"], unique=True
        )
        op.create_index(op.f("ix_usersession_user_id"), "usersession", ["user_id"], unique=False)
    if "workshop" not in have:
        op.create_table(
            "workshop",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("theme_id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("tables", sa.Integer(), nullable=False),
            sa.Column("venue", sa.String(length=200), nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=True),
            sa.Column("solved", sa.String(length=20), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["created_by"],
                ["user.id"],
            ),
            sa.ForeignKeyConstraint(
                ["theme_id"],
                ["theme.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_workshop_theme_id"), "workshop", ["theme_id"], unique=False)
    if "interestrequest" not in have:
        op.create_table(
            "interestrequest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("match_id", sa.Integer(), nullable=False),
            sa.Column("organisation_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("note", sa.String(length=1000), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["match_id"],
                ["match.id"],
            ),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_interestrequest_match_id"), "interestrequest", ["match_id"], unique=False
        )
        op.create_index(
            op.f("ix_interestrequest_organisation_id"),
            "interestrequest",
            ["organisation_id"],
            unique=False,
        )
    if "introduction" not in have:
        op.create_table(
            "introduction",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("match_id", sa.Integer(), nullable=False),
            sa.Column("side", sa.String(length=5), nullable=False),
            sa.Column("outbox_id", sa.Integer(), nullable=False),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["match_id"],
                ["match.id"],
            ),
            sa.ForeignKeyConstraint(
                ["outbox_id"],
                ["outboxmessage.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_introduction_match_id"), "introduction", ["match_id"], unique=False
        )
    if "mailingdelivery" not in have:
        op.create_table(
            "mailingdelivery",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("mailing_id", sa.Integer(), nullable=False),
            sa.Column("subscriber_id", sa.Integer(), nullable=False),
            sa.Column("outbox_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["mailing_id"],
                ["mailing.id"],
            ),
            sa.ForeignKeyConstraint(
                ["outbox_id"],
                ["outboxmessage.id"],
            ),
            sa.ForeignKeyConstraint(
                ["subscriber_id"],
                ["subscriber.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("mailing_id", "subscriber_id"),
        )
        op.create_index(
            op.f("ix_mailingdelivery_mailing_id"), "mailingdelivery", ["mailing_id"], unique=False
        )
    if "matchevent" not in have:
        op.create_table(
            "matchevent",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("match_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column(
                "from_status",
                sa.Enum(
                    "suggested",
                    "shortlisted",
                    "introduced",
                    "negotiating",
                    "pilot",
                    "realised",
                    "rejected",
                    "dropped",
                    name="matchstatus",
                ),
                nullable=True,
            ),
            sa.Column(
                "to_status",
                sa.Enum(
                    "suggested",
                    "shortlisted",
                    "introduced",
                    "negotiating",
                    "pilot",
                    "realised",
                    "rejected",
                    "dropped",
                    name="matchstatus",
                ),
                nullable=False,
            ),
            sa.Column("reason", sa.String(length=60), nullable=True),
            sa.Column("note", sa.String(length=2000), nullable=False),
            sa.ForeignKeyConstraint(
                ["match_id"],
                ["match.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_matchevent_match_id"), "matchevent", ["match_id"], unique=False)
    if "notice" not in have:
        op.create_table(
            "notice",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("reason", sa.String(length=12), nullable=False),
            sa.Column("about_id", sa.Integer(), nullable=False),
            sa.Column("new_id", sa.Integer(), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("digest_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["digest_id"],
                ["digest.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("user_id", "reason", "about_id", "new_id"),
        )
        op.create_index(op.f("ix_notice_digest_id"), "notice", ["digest_id"], unique=False)
        op.create_index(op.f("ix_notice_user_id"), "notice", ["user_id"], unique=False)
    if "participant" not in have:
        op.create_table(
            "participant",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("workshop_id", sa.Integer(), nullable=False),
            sa.Column("organisation_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("language", sa.Enum("fi", "sv", "en", name="language"), nullable=False),
            sa.Column("listing_ids", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["organisation_id"],
                ["organisation.id"],
            ),
            sa.ForeignKeyConstraint(
                ["workshop_id"],
                ["workshop.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_participant_organisation_id"), "participant", ["organisation_id"], unique=False
        )
        op.create_index(
            op.f("ix_participant_workshop_id"), "participant", ["workshop_id"], unique=False
        )
    if "workshopslot" not in have:
        op.create_table(
            "workshopslot",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("workshop_id", sa.Integer(), nullable=False),
            sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["workshop_id"],
                ["workshop.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_workshopslot_workshop_id"), "workshopslot", ["workshop_id"], unique=False
        )
    if "availability" not in have:
        op.create_table(
            "availability",
            sa.Column("participant_id", sa.Integer(), nullable=False),
            sa.Column("slot_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["participant_id"],
                ["participant.id"],
            ),
            sa.ForeignKeyConstraint(
                ["slot_id"],
                ["workshopslot.id"],
            ),
            sa.PrimaryKeyConstraint("participant_id", "slot_id"),
        )
    if "meeting" not in have:
        op.create_table(
            "meeting",
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
            sa.ForeignKeyConstraint(
                ["first_id"],
                ["participant.id"],
            ),
            sa.ForeignKeyConstraint(
                ["need_id"],
                ["listing.id"],
            ),
            sa.ForeignKeyConstraint(
                ["offer_id"],
                ["listing.id"],
            ),
            sa.ForeignKeyConstraint(
                ["second_id"],
                ["participant.id"],
            ),
            sa.ForeignKeyConstraint(
                ["slot_id"],
                ["workshopslot.id"],
            ),
            sa.ForeignKeyConstraint(
                ["workshop_id"],
                ["workshop.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_meeting_workshop_id"), "meeting", ["workshop_id"], unique=False)
    if "meetingrequest" not in have:
        op.create_table(
            "meetingrequest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("workshop_id", sa.Integer(), nullable=False),
            sa.Column("requester_id", sa.Integer(), nullable=False),
            sa.Column("wanted_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["requester_id"],
                ["participant.id"],
            ),
            sa.ForeignKeyConstraint(
                ["wanted_id"],
                ["participant.id"],
            ),
            sa.ForeignKeyConstraint(
                ["workshop_id"],
                ["workshop.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("requester_id", "wanted_id"),
        )
        op.create_index(
            op.f("ix_meetingrequest_workshop_id"), "meetingrequest", ["workshop_id"], unique=False
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_meetingrequest_workshop_id"), table_name="meetingrequest")

    op.drop_table("meetingrequest")
    op.drop_index(op.f("ix_meeting_workshop_id"), table_name="meeting")

    op.drop_table("meeting")
    op.drop_table("availability")
    op.drop_index(op.f("ix_workshopslot_workshop_id"), table_name="workshopslot")

    op.drop_table("workshopslot")
    op.drop_index(op.f("ix_participant_workshop_id"), table_name="participant")
    op.drop_index(op.f("ix_participant_organisation_id"), table_name="participant")

    op.drop_table("participant")
    op.drop_index(op.f("ix_notice_user_id"), table_name="notice")
    op.drop_index(op.f("ix_notice_digest_id"), table_name="notice")

    op.drop_table("notice")
    op.drop_index(op.f("ix_matchevent_match_id"), table_name="matchevent")

    op.drop_table("matchevent")
    op.drop_index(op.f("ix_mailingdelivery_mailing_id"), table_name="mailingdelivery")

    op.drop_table("mailingdelivery")
    op.drop_index(op.f("ix_introduction_match_id"), table_name="introduction")

    op.drop_table("introduction")
    op.drop_index(op.f("ix_interestrequest_organisation_id"), table_name="interestrequest")
    op.drop_index(op.f("ix_interestrequest_match_id"), table_name="interestrequest")

    op.drop_table("interestrequest")
    op.drop_index(op.f("ix_workshop_theme_id"), table_name="workshop")

    op.drop_table("workshop")
    op.drop_index(op.f("ix_usersession_user_id"), table_name="usersession")
    op.drop_index(op.f("ix_usersession_token_hash"), table_name="usersession")

    op.drop_table("usersession")
    op.drop_index(op.f("ix_savedsearch_user_id"), table_name="savedsearch")

    op.drop_table("savedsearch")
    op.drop_index(op.f("ix_onetimetoken_token_hash"), table_name="onetimetoken")

    op.drop_table("onetimetoken")
    op.drop_table("membervisit")
    op.drop_index(op.f("ix_match_updated_at"), table_name="match")
    op.drop_index(op.f("ix_match_theme_id"), table_name="match")
    op.drop_index(op.f("ix_match_status"), table_name="match")
    op.drop_index(op.f("ix_match_offer_id"), table_name="match")
    op.drop_index(op.f("ix_match_need_id"), table_name="match")

    op.drop_table("match")
    op.drop_table("mailing")
    op.drop_table("listingvector")
    op.drop_index(op.f("ix_joinrequest_status"), table_name="joinrequest")

    op.drop_table("joinrequest")
    op.drop_index(op.f("ix_infoitem_published_at"), table_name="infoitem")
    op.drop_index(op.f("ix_infoitem_published"), table_name="infoitem")
    op.drop_index(op.f("ix_infoitem_kind"), table_name="infoitem")
    op.drop_index(op.f("ix_infoitem_key"), table_name="infoitem")

    op.drop_table("infoitem")
    op.drop_index(op.f("ix_digest_user_id"), table_name="digest")

    op.drop_table("digest")
    op.drop_index(op.f("ix_auditentry_at"), table_name="auditentry")

    op.drop_table("auditentry")
    op.drop_index(op.f("ix_apitoken_user_id"), table_name="apitoken")
    op.drop_index(op.f("ix_apitoken_token_hash"), table_name="apitoken")

    op.drop_table("apitoken")
    op.drop_index(op.f("ix_user_email"), table_name="user")

    op.drop_table("user")
    op.drop_index(op.f("ix_listing_theme_id"), table_name="listing")
    op.drop_index(op.f("ix_listing_status"), table_name="listing")
    op.drop_index(op.f("ix_listing_organisation_id"), table_name="listing")
    op.drop_index(op.f("ix_listing_kind"), table_name="listing")
    op.drop_index(op.f("ix_listing_key"), table_name="listing")

    op.drop_table("listing")
    op.drop_index(op.f("ix_theme_slug"), table_name="theme")

    op.drop_table("theme")
    op.drop_index(op.f("ix_subscriber_email"), table_name="subscriber")

    op.drop_table("subscriber")
    op.drop_table("outboxmessage")
    op.drop_index(op.f("ix_organisation_key"), table_name="organisation")

    op.drop_table("organisation")
    op.drop_table("jobmark")
    op.drop_index(op.f("ix_emissionfactor_key"), table_name="emissionfactor")

    op.drop_table("emissionfactor")
    if op.get_bind().dialect.name == "postgresql":
        for name in ENUMS:
            sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
