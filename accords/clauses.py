"""Standard clauses a new accord starts with (from the Bologna model), in the officer's
language. The parties change them freely during the co-design."""

from django.utils.translation import gettext as _


def default_clauses(*, settlement_days: int) -> dict[str, str]:
    return {
        "monitoring_plan": _(
            "The civic actors file an activity report at least every six months (activities, "
            "volunteer hours, participants, resources used, photos). The city acknowledges each "
            "report and meets the civic actors at least once a year to review the accord."
        ),
        "insurance": _(
            "The city covers the volunteers' accident and third-party liability insurance for "
            "the activities of this accord, under its policy for active citizens."
        ),
        "suspension_causes": _(
            "The city may suspend the accord, with reasons, for reasons of public safety or "
            "public interest, or if the civic actors seriously breach their commitments, until "
            "the cause is removed."
        ),
        "termination_causes": _(
            "Either party may terminate the accord, with reasons, after a serious and repeated "
            "breach that was not remedied, or when its purpose can no longer be achieved. The "
            "civic actors may withdraw at any time with one month's notice."
        ),
        "end_arrangements": _(
            "At the end the civic actors return the spaces, materials and tools on loan in the "
            "condition they received them, apart from normal wear. Improvements remain with the "
            "city."
        ),
        "dispute_clause": _(
            "Disputes about this accord go to a conciliation committee of three members: one "
            "named by the city, one by the civic actors, and a third agreed by both. The "
            "committee proposes a settlement within %(days)s days."
        )
        % {"days": settlement_days},
        "collective_use_rules": _(
            "The spaces stay open to everyone. Activities are free of charge and open to all "
            "residents; no one may use the commons for profit."
        ),
    }
