"""Demo follows and preferences (idempotent): Rita follows a claim she does not propose and
an accord, and reads claim news in a daily digest; Nico gets a weekly digest of comments."""

from follows.models import Frequency
from follows.preferences import preference_set
from follows.services import follow


def seed(stdout) -> None:
    from accords.models import Accord
    from citizens.models import User
    from proposals.models import Claim

    rita = User.objects.filter(email="resident@partnercity.local").first()
    nico = User.objects.filter(email="resident2@partnercity.local").first()
    if rita is None or nico is None:
        return
    public = Claim.objects.filter(state=Claim.State.CONSULTATION).exclude(created_by=rita)
    for claim in public.order_by("pk")[:2]:
        follow(rita, claim)
    accord = Accord.objects.filter(state="active").order_by("pk").first()
    if accord is not None:
        follow(rita, accord)
    for claim in Claim.objects.filter(state=Claim.State.CONSULTATION).order_by("pk")[:1]:
        follow(nico, claim)
    preference_set(user=rita, kind="claim", frequency=Frequency.DAILY)
    preference_set(user=nico, kind="comment", frequency=Frequency.WEEKLY)
    stdout.write("follows: demo follows and digest preferences ready")


def describe() -> str:
    return "\n".join(
        [
            "Follows and digests:",
            "  /me/activity/  my claims, supports, accords, ballots, follows, notifications",
            "  /me/notifications/preferences/  immediately / daily / weekly / off per kind",
            "  resident@ follows two claims in consultation and an accord, with a daily claim "
            "digest; `manage.py send_digests` (run every 5 minutes by `make run`) sends it.",
        ]
    )
