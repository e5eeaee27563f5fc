"""Who may vote in a process. Used online and (in the live-voting issue) at check-in."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgeting.models import Process
from citizens.models import CensusRecord


class Ineligible(ValidationError):
    """The person may not vote in this process; ``code`` says why."""


def age_reached(process: Process, birth_year: int) -> bool:
    """The census keeps only the year of birth, so age means "turns N during the voting year".

    The voting year is the calendar year in which voting closes (or opens, if no close date is
    set). Someone born in 2010 may vote in a process with minimum age 16 closing in 2026,
    even before their birthday.
    """
    return birth_year + process.min_age <= process.voting_year


def eligibility_check(*, process: Process, census_record: CensusRecord | None) -> str:
    """Raise Ineligible, or return the district envelope the person votes in ("" if none)."""
    if census_record is None:
        raise Ineligible(
            _("Only verified residents can vote. Verify your residency in your profile first."),
            code="unverified",
        )
    if not age_reached(process, census_record.birth_year):
        raise Ineligible(
            _("You can vote in this process if you turn %(age)s by the end of %(year)s.")
            % {"age": process.min_age, "year": process.voting_year},
            code="under_age",
        )
    if (
        process.residency == Process.Residency.DISTRICT
        and census_record.district != process.eligible_district
    ):
        raise Ineligible(
            _("Only residents of %(district)s can vote in this process.")
            % {"district": process.eligible_district},
            code="wrong_district",
        )
    envelopes = {e.district for e in process.envelopes.all()}
    if not envelopes:
        return ""
    if census_record.district not in envelopes:
        raise Ineligible(
            _("This process has no budget for your district (%(district)s).")
            % {"district": census_record.district},
            code="wrong_district",
        )
    return census_record.district
