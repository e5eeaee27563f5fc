"""Demo discussions (idempotent): part of `manage.py seed_demo`, after claims, accords and PB.

A few threads with replies, a mention and agreements on the claim in consultation, a project
of the process in voting and an active accord, written through the services at their dates.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from citizens.models import User
from comments import services
from comments.models import Comment
from core.clock import travel_to

RITA = "resident@partnercity.local"
NICO = "resident2@partnercity.local"

CLAIM = "Sunday care of Giardino Villa Angeletti"
PROJECT_PROCESS = "Green Budget 2026"
ACCORD = "Weekly care of the Montagnola park"

# (who, text, reply to the thread's comment number or None, days ago, who agrees)
# Per host: (who, text, reply to the comment at this index of the thread (existing comments
# first, oldest first) or None, days ago, who agrees).
THREADS = {
    # The claims demo already wrote Rita's comment (0) and her objection (1).
    "claim": [
        (NICO, "@rita-resident yes: the canal bank is on our list from June.", 0, 4.5, [RITA]),
        (RITA, "Thank you! I can bring two watering cans on Sundays.", 2, 4.2, [NICO]),
        (
            NICO,
            "We could start at 11, after the dog owners' meeting. Would that work?",
            1,
            3.5,
            [],
        ),
    ],
    "project": [
        (RITA, "Shade on the square would help a lot in July.", None, 5, [NICO]),
        (NICO, "Agreed. Will the benches be under the trees?", 0, 4, [RITA]),
        (RITA, "@nico-navile yes, the description says benches in their shade.", 1, 3, []),
    ],
    "accord": [
        (NICO, "Where do volunteers meet on Saturdays?", None, 6, []),
        (RITA, "@nico-navile at the fountain, at 9. Everyone is welcome.", 0, 5.5, [NICO]),
        (NICO, "Thanks, see you there!", 1, 5, []),
    ],
}


def _hosts() -> dict:
    from accords.models import Accord
    from budgeting.models import Project
    from proposals.models import Claim

    found = {
        "claim": Claim.objects.filter(title=CLAIM).first(),
        "project": Project.objects.filter(process__title=PROJECT_PROCESS).order_by("pk").first(),
        "accord": Accord.objects.filter(title=ACCORD).first(),
    }
    return {key: obj for key, obj in found.items() if obj is not None}


def _thread_of(obj) -> list[Comment]:
    return list(
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).order_by("created_at", "id")
    )


def seed(stdout) -> None:
    people = {u.email: u for u in User.objects.filter(email__in=[RITA, NICO])}
    if len(people) < 2:
        stdout.write("Comments demo skipped: the demo residents are missing.")
        return
    now = timezone.now()
    for key, obj in _hosts().items():
        written = _thread_of(obj)
        if any(c.body == THREADS[key][0][1] for c in written):
            continue  # seeded before
        for who, text, parent_index, days_ago, agreeing in THREADS[key]:
            with travel_to(now - dt.timedelta(days=days_ago)):
                parent = written[parent_index] if parent_index is not None else None
                if parent is None:
                    comment = services.comment_post(author=people[who], target=obj, body=text)
                else:
                    comment = services.comment_reply(author=people[who], parent=parent, body=text)
                for email in agreeing:
                    services.comment_agree(user=people[email], comment=comment)
            written.append(comment)


def describe() -> str:
    return (
        "Discussions (comments with replies, mentions and agreements): on the claim "
        f"“{CLAIM}”, a project of “{PROJECT_PROCESS}” and the accord “{ACCORD}”."
    )
