import datetime as dt
import itertools

from allauth.account.models import EmailAddress

from citizens.census import census_import
from citizens.models import CensusRecord, CivicGroup, Department, Membership, User
from citizens.rules import Role, grant_role

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def user_create(
    *, email=None, roles=(), department=None, verified_email=True, census=None, **fields
) -> User:
    n = next(_seq)
    email = email or f"user{n}@example.org"
    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        display_name=fields.pop("display_name", f"User {n}"),
        department=department,
        **fields,
    )
    if verified_email:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for role in roles:
        grant_role(user, role)
    if census is not None:
        user.census_record = census
        user.verified_at = dt.datetime.now(dt.UTC)
        user.save(update_fields=["census_record", "verified_at"])
    return user


def census_person(*, document_id=None, birth_date="1980-01-01", district="Centro"):
    """Import one census row and return (document_id, birth date, record)."""
    document_id = document_id or f"ZZ{next(_seq):07d}"
    census_import(data=f"document_id,birth_date,district\n{document_id},{birth_date},{district}\n")
    from citizens.census import identity_hash

    record = CensusRecord.objects.get(
        identity_hash=identity_hash(document_id, dt.date.fromisoformat(birth_date))
    )
    return document_id, dt.date.fromisoformat(birth_date), record


def resident_create(*, district="Centro", birth_date="1980-01-01", **kwargs) -> User:
    _doc, _birth, record = census_person(district=district, birth_date=birth_date)
    return user_create(census=record, roles=[Role.RESIDENT], **kwargs)


def department_create(name=None) -> Department:
    n = next(_seq)
    name = name or f"Department {n}"
    return Department.objects.create(name=name, slug=f"dept-{n}")


def officer_create(*, department=None, signatory=False, **kwargs) -> User:
    department = department or department_create()
    role = Role.SIGNATORY if signatory else Role.OFFICER
    return user_create(roles=[role], department=department, **kwargs)


def group_create(*, representative: User, members=()) -> CivicGroup:
    group = CivicGroup.objects.create(name=f"Group {next(_seq)}", created_by=representative)
    Membership.objects.create(group=group, user=representative, is_representative=True)
    for m in members:
        Membership.objects.create(group=group, user=m)
    return group
