"""Municipalities: every one of Uusimaa's 26, by Finnish or Swedish name."""

from __future__ import annotations

from matchmaker.engine import geo

UUSIMAA = (
    "Helsinki Espoo Vantaa Kauniainen Porvoo Loviisa Lapinjärvi Askola Myrskylä Pukkila "
    "Sipoo Kerava Järvenpää Tuusula Nurmijärvi Mäntsälä Hyvinkää Pornainen Vihti Lohja "
    "Karkkila Siuntio Kirkkonummi Inkoo Raasepori Hanko"
).split()


def test_all_uusimaa_municipalities_are_known_and_inside_the_region() -> None:
    for name in UUSIMAA:
        place = geo.find(name)
        assert place is not None, name
        assert place.region == "Uusimaa"
        assert 59.7 < place.lat < 60.9 and 22.8 < place.lon < 26.6, name


def test_swedish_names_and_case_resolve_to_the_same_place() -> None:
    assert geo.find("Helsingfors") == geo.find("helsinki")
    assert geo.find("Åbo") == geo.find("Turku")
    assert geo.find("Atlantis") is None


def test_distance_helsinki_tampere_is_about_160_km() -> None:
    helsinki, tampere = geo.find("Helsinki"), geo.find("Tampere")
    assert helsinki and tampere
    assert 150 < geo.distance_km(helsinki, tampere) < 170
