"""The listing's fields, named once: the API shapes, the form and the sheet agree with the table."""

from __future__ import annotations

from matchmaker.listings import fieldnames, form_fields, forms
from matchmaker.listings.fieldnames import EDITABLE
from matchmaker.listings.schemas import ListingCreate, ListingPublic, ListingUpdate
from matchmaker.tables import Listing
from matchmaker.transfer import sheets
from matchmaker.vocab import Status
from matchmaker.web.i18n import Translator


def test_the_sheet_keeps_the_columns_and_the_order_its_users_know() -> None:
    assert sheets.COLUMNS == [
        "organisation",
        "theme",
        "kind",
        "category",
        "title",
        "description",
        "language",
        "quantity",
        "unit",
        "frequency",
        "municipality",
        "ewc_code",
        "accepted_codes",
        "available_from",
        "available_until",
        "visibility",
    ]


def test_the_api_shapes_have_the_tables_editable_fields() -> None:
    assert set(ListingCreate.model_fields) == set(EDITABLE)
    assert set(ListingUpdate.model_fields) == set(EDITABLE) - {"organisation_id"} | {"version"}
    # the public shape is the row as stored, in the table's order, the theme by its slug
    # (but the key, and the date its expiry reminder went out for, which is the product's own)
    stored = [
        "theme" if n == "theme_id" else n
        for n in Listing.model_fields
        if n not in ("key", "reminded_for")
    ]
    public = [n for n in ListingPublic.model_fields if n != "organisation_name"]
    assert public == stored


def test_the_form_has_a_field_for_each_editable_field() -> None:
    assert forms.FIELDS[:-1] == EDITABLE and forms.FIELDS[-1] == "version"
    form = form_fields.listing_form(
        Translator("en"),
        action="/listings",
        values={},
        errors={},
        organisations=[(1, "Porvoon Puutuote Oy")],
        themes={"construction": "Construction"},
        statuses=list(Status),
    )
    assert set(form.fields) == set(EDITABLE)
    for name in ("title", "description"):
        width = fieldnames.max_length(Listing, name)
        assert form.fields[name].attrs["maxlength"] == str(width)
    for name in ("title", "description"):  # what the form allows, the API accepts
        assert fieldnames.max_length(ListingCreate, name) == fieldnames.max_length(Listing, name)
    # a code is typed as the list writes it (17 01 06*) and stored as its six digits
    assert form.fields["ewc_code"].attrs["maxlength"] == str(
        fieldnames.max_length(ListingCreate, "ewc_code")
    )
    assert fieldnames.max_length(Listing, "ewc_code") == 6
