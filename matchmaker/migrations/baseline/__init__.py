"""The schema of the last release without migrations (4257b74), which revision 0001 makes.

Written out as that release made it, never read from the models: a revision has to make the
same tables however the models change after it. Made by autogenerate against an empty
database, then tidied into one `sa.Table` per table, in a module per part of the product.
"""

from __future__ import annotations

import sqlalchemy as sa

from matchmaker.migrations.baseline import accounts, listings, mail, matches, workshops


def metadata() -> sa.MetaData:
    """Every table of the baseline with its indexes, foreign keys and enum types."""
    md = sa.MetaData()
    for part in (listings, matches, accounts, mail, workshops):
        part.define(md)
    return md
