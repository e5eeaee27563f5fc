import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from citizens.census import CensusImportError, census_import, census_lookup, identity_hash
from citizens.models import CensusRecord

pytestmark = pytest.mark.django_db

GOOD = (
    "document_id,birth_date,district,surname\n"
    "ab-123 456,1980-02-29,Centro,Rossi\n"
    "CD999,15/06/1975,Navile,Bianchi\n"
)


def test_import_stores_only_hashes_district_and_birth_year():
    report = census_import(data=GOOD)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    record = CensusRecord.objects.get(district="Centro")
    assert record.birth_year == 1980
    assert record.identity_hash == identity_hash("AB123456", dt.date(1980, 2, 29))
    assert "AB123456" not in record.identity_hash
    assert {f.name for f in CensusRecord._meta.get_fields()} >= {"identity_hash", "district"}
    assert not any("document" in f.name for f in CensusRecord._meta.get_fields())


def test_document_id_is_normalised_for_lookup():
    census_import(data=GOOD)
    assert census_lookup(document_id=" ab123456 ", birth_date=dt.date(1980, 2, 29))
    assert census_lookup(document_id="AB.123.456", birth_date=dt.date(1980, 2, 29))
    assert census_lookup(document_id="AB123456", birth_date=dt.date(1980, 3, 1)) is None


def test_reimport_updates_instead_of_duplicating():
    census_import(data=GOOD)
    report = census_import(data=GOOD.replace("Navile", "Porto"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert CensusRecord.objects.count() == 2
    assert CensusRecord.objects.filter(district="Porto").count() == 1


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("XY1,not-a-date,Centro", "not a date"),
        (",1980-01-01,Centro", "document id is empty"),
        ("XY1,1980-01-01,", "district is empty"),
        ("XY1,1700-01-01,Centro", "out of range"),
        ("ab123456,1980-02-29,Centro", "appears twice"),
    ],
)
def test_a_malformed_row_names_its_line_and_imports_nothing(bad_line, message):
    data = GOOD + "EE1,1990-01-01,Centro\n" + bad_line + "\n"
    with pytest.raises(CensusImportError) as exc:
        census_import(data=data)
    assert exc.value.line == 5
    assert message in str(exc.value)
    assert "Line 5" in str(exc.value)
    assert CensusRecord.objects.count() == 0


def test_missing_columns_are_reported():
    with pytest.raises(CensusImportError, match="Missing column"):
        census_import(data="document_id,district\nX,Y\n")


def test_semicolon_separated_files_and_bom_are_accepted():
    report = census_import(
        data="\ufeffdocument_id;birth_date;district\nQ1;1990-01-01;Centro\n".encode()
    )
    assert report.created == 1


def test_management_command_imports_and_reports(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text(GOOD)
    call_command("import_census", str(path))
    assert CensusRecord.objects.count() == 2
    path.write_text(GOOD + "bad,,x\n")
    with pytest.raises(CommandError, match="Line 4"):
        call_command("import_census", str(path))


def test_admin_upload_imports_for_administrators_only(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from citizens.rules import Role
    from tests.citizens.factories import officer_create, user_create

    url = "/django-admin/citizens/censusrecord/import/"
    admin = user_create(roles=[Role.ADMINISTRATOR])
    officer = officer_create()
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", GOOD.encode())})
    assert response.status_code == 403
    client.force_login(admin)
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", GOOD.encode())})
    assert response.status_code == 302
    assert CensusRecord.objects.count() == 2
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", b"document_id\n1\n")})
    assert response.status_code == 200
    assert "Missing column" in response.content.decode()
