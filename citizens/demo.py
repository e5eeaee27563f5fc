"""Demo accounts, departments and census for the embedded default (local settings only).

The accounts were opened (and residencies verified) well before the oldest demo history (a
budgeting process of last year), so they are created under a clock set that far back.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citizens.census import census_import, identity_hash
from citizens.models import CensusRecord, CivicGroup, Department, Membership, User
from citizens.rules import Role, grant_role, sync_role_groups
from core.clock import travel_to

ACCOUNTS_OPENED_DAYS_AGO = 600  # before every demo story (the oldest starts ~530 days ago)
DEMO_PASSWORD = "partnercity-demo"  # noqa: S105 - demo accounts exist only with DEMO_ACCOUNTS

DEPARTMENTS = [
    ("Urban Commons Office", "commons"),
    ("Parks and Green Areas", "parks"),
    ("Public Works", "works"),
    ("Mobility", "mobility"),
    ("Culture and Heritage", "heritage"),
]

# document id, birth date, district; the first ones belong to demo accounts.
CENSUS = [
    ("AB1234567", "1985-04-12", "Centro"),
    ("CD7654321", "1990-09-30", "Navile"),
    ("EF1122334", "2000-01-15", "Centro"),
    ("GH5566778", "1978-06-02", "Navile"),
    ("IJ9988776", "1995-11-20", "Centro"),
    ("KL4433221", "1962-03-08", "Navile"),
    ("MN1357913", "2001-07-07", "Centro"),
    ("OP2468024", "1999-12-31", "Navile"),
    ("QR1112131", "2012-05-05", "Centro"),
]

# email, display name, roles, department slug, census index to link (None = unverified)
ACCOUNTS = [
    ("admin@partnercity.local", "Ada Admin", [Role.ADMINISTRATOR], None, None),
    ("officer@partnercity.local", "Olga Officer", [Role.OFFICER], "commons", None),
    ("parks@partnercity.local", "Piero Parks", [Role.OFFICER], "parks", None),
    ("signatory@partnercity.local", "Silvia Signatory", [Role.SIGNATORY], "commons", None),
    ("facilitator@partnercity.local", "Fabio Facilitator", [Role.FACILITATOR], None, None),
    ("moderator@partnercity.local", "Marta Moderator", [Role.MODERATOR], None, None),
    ("editor@partnercity.local", "Elena Editor", [Role.CONTENT_EDITOR], None, None),
    ("resident@partnercity.local", "Rita Resident", [Role.RESIDENT], None, 0),
    ("resident2@partnercity.local", "Nico Navile", [Role.RESIDENT], None, 1),
    ("newcomer@partnercity.local", "Nina Newcomer", [Role.RESIDENT], None, None),
]


def _census_csv() -> str:
    rows = ["document_id,birth_date,district"] + [",".join(r) for r in CENSUS]
    return "\n".join(rows) + "\n"


def seed(stdout) -> None:
    if not getattr(settings, "DEMO_ACCOUNTS", False):
        stdout.write("DEMO_ACCOUNTS is off: no demo accounts created.")
        return
    opened = timezone.now() - dt.timedelta(days=ACCOUNTS_OPENED_DAYS_AGO)
    with travel_to(opened), transaction.atomic():
        sync_role_groups()
        departments = {
            slug: Department.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for name, slug in DEPARTMENTS
        }
        hashes = [identity_hash(d, dt.date.fromisoformat(b)) for d, b, _di in CENSUS]
        if CensusRecord.objects.filter(identity_hash__in=hashes).count() < len(hashes):
            census_import(data=_census_csv())  # audited: only when something is missing
        for email, name, roles, dept, census_index in ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, display_name=name
                )
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if dept and user.department_id != departments[dept].pk:
                user.department = departments[dept]
                user.save(update_fields=["department"])
            for role in roles:
                grant_role(user, role)
            if Role.ADMINISTRATOR in roles and not user.is_superuser:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            if census_index is not None and user.census_record_id is None:
                doc, birth, _district = CENSUS[census_index]
                user.census_record = CensusRecord.objects.get(
                    identity_hash=identity_hash(doc, dt.date.fromisoformat(birth))
                )
                user.verified_at = timezone.now()
                user.save(update_fields=["census_record", "verified_at"])
        group, created = CivicGroup.objects.get_or_create(
            name="Friends of Giardino Margherita",
            defaults={
                "kind": CivicGroup.Kind.ASSOCIATION,
                "description": "Neighbours who look after the park since 2019.",
            },
        )
        Membership.objects.get_or_create(
            group=group,
            user=User.objects.get(email="resident@partnercity.local"),
            defaults={"is_representative": True},
        )
        Membership.objects.get_or_create(
            group=group,
            user=User.objects.get(email="resident2@partnercity.local"),
        )


def describe() -> str:
    lines = [f"Demo accounts (password: {DEMO_PASSWORD}):"]
    for email, _name, roles, _dept, census_index in ACCOUNTS:
        role_text = ", ".join(r.value for r in roles)
        verified = " (verified resident)" if census_index is not None else ""
        lines.append(f"  {email:34} {role_text}{verified}")
    lines.append("Census entries free for residency checks and in-person check-ins:")
    linked = {a[4] for a in ACCOUNTS if a[4] is not None}
    for i, (doc, birth, district) in enumerate(CENSUS):
        if i not in linked:
            lines.append(f"  document {doc}  born {birth}  district {district}")
    return "\n".join(lines)
