"""Which listings are about land use: space, sites and soil masses (the one rule the map asks)."""

from __future__ import annotations

import re

from matchmaker.tables import Listing
from matchmaker.vocab import Category

# EWC 17 05: soil, stones and dredging spoil, whatever the text says
SOIL_CODES = "1705"

# Soil masses in any category, in fi/sv/en (stems: Finnish and Swedish inflect).
SOIL = re.compile(
    r"maa-ain|maamass|ylijäämämaa|ylijäämämai|kaivumaa|kaivumai|jordmass|schaktmass|överskottsjord|"
    r"\bsoil|excavated earth|earth masses|granular fill|fill material",
    re.IGNORECASE,
)
# Space and sites, in the category "equipment or space to share" only: elsewhere these
# words are too common ("building sites" of a material).
SPACE = re.compile(
    r"halli|varast|työtila|toimitil|tilaa\b|tontti|tontin|piha-alue|kenttä|"
    r"lokal|lagerhall|\bhall|\btomt|område|\bspace|premises|warehouse|\bsite|\bplot|\byard",
    re.IGNORECASE,
)


def is_land_use(listing: Listing) -> bool:
    """Space, a site or soil masses, offered or needed: its own marker and filter on the map."""
    codes = [listing.ewc_code or "", *(listing.accepted_codes or [])]
    if any(code.startswith(SOIL_CODES) for code in codes):
        return True
    text = f"{listing.title} {listing.description}"
    if SOIL.search(text):
        return True
    return listing.category == Category.equipment and SPACE.search(text) is not None
