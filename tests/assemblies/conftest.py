import pytest

from citizens.rules import Role
from tests.assemblies.factories import assembly_make
from tests.citizens.factories import officer_create, user_create


@pytest.fixture
def coordinator():
    return user_create(display_name="Cora Coordinator")


@pytest.fixture
def member():
    return user_create(display_name="Mario Member")


@pytest.fixture
def outsider():
    return user_create(display_name="Otto Outsider")


@pytest.fixture
def officer():
    return officer_create()


@pytest.fixture
def admin():
    return user_create(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def assembly(coordinator, member):
    return assembly_make(coordinators=[coordinator], members=[member])
