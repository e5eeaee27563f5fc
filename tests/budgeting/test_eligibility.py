"""Who may vote: verified residents of the right age and district."""

import datetime as dt

import pytest

from budgeting.eligibility import Ineligible, age_reached, eligibility_check
from budgeting.models import Process
from tests.budgeting.factories import process_create
from tests.citizens.factories import census_person

pytestmark = pytest.mark.django_db


def check(process, record):
    with pytest.raises(Ineligible) as info:
        eligibility_check(process=process, census_record=record)
    return info.value


def test_an_unverified_person_may_not_vote():
    assert check(process_create(), None).code == "unverified"


def test_age_counts_whole_voting_year_from_the_birth_year():
    closes = dt.datetime(2026, 5, 31, 18, 0, tzinfo=dt.UTC)
    process = process_create(
        min_age=16, voting_opens_at=closes - dt.timedelta(days=10), voting_closes_at=closes
    )
    assert process.voting_year == 2026
    assert age_reached(process, 2010)  # turns 16 in December 2026: may vote in May
    assert not age_reached(process, 2011)


def test_someone_under_age_may_not_vote():
    process = process_create(min_age=16)
    year = process.voting_year
    _d, _b, young = census_person(birth_date=f"{year - 15}-01-01")
    exc = check(process, young)
    assert exc.code == "under_age"
    assert f"turn 16 by the end of {year}" in exc.messages[0]
    _d, _b, just = census_person(birth_date=f"{year - 16}-12-31")
    assert eligibility_check(process=process, census_record=just) == ""


def test_a_district_process_only_admits_its_residents():
    process = process_create(residency=Process.Residency.DISTRICT, eligible_district="Navile")
    _d, _b, centro = census_person(district="Centro")
    _d, _b, navile = census_person(district="Navile")
    assert check(process, centro).code == "wrong_district"
    eligibility_check(process=process, census_record=navile)


def test_with_envelopes_a_voter_votes_in_their_district():
    process = process_create(envelopes={"Centro": 10_000, "Navile": 10_000})
    _d, _b, navile = census_person(district="Navile")
    _d, _b, elsewhere = census_person(district="San Donato")
    assert eligibility_check(process=process, census_record=navile) == "Navile"
    assert check(process, elsewhere).code == "wrong_district"
