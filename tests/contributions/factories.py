"""An active accord with its people, and helpers to fill its contribution log."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from contributions import services
from contributions.models import Contribution
from tests.accords.factories import World


def active_world() -> World:
    world = World()
    world.active()
    return world


def today() -> dt.date:
    return timezone.localdate()


def confirmed_hours(world, hours="2", *, person=None, on=None, show_name=False) -> Contribution:
    person = person or world.member
    entry = services.log_hours(
        actor=person,
        accord=world.accord,
        on=on or today(),
        hours=hours,
        description="Weeding",
        show_name_publicly=show_name,
    )
    return services.confirm(actor=world.rep, entry=entry)


def shift_create(world, *, days=7, slots=3):
    activity = services.publish_activity(
        actor=world.rep, accord=world.accord, title="Spring planting", description="Tulips."
    )
    return services.add_shift(
        actor=world.rep,
        activity=activity,
        date=today() + dt.timedelta(days=days),
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 30),
        place="The garden gate",
        slots=slots,
        bring="Gloves",
    )


HOURS = Decimal("2.0")
