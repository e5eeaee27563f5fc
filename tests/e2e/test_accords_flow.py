"""An officer starts an accord from an approved claim; both sides co-design two versions and
compare them; both agree; the representative and the signatory sign; the accord is active in
the public registry with its fingerprint, and its PDF downloads."""

import pytest

from accords.models import Accord, AccordState
from citizens.models import Department
from tests.accords.factories import claim_create
from tests.citizens.factories import (
    PASSWORD,
    group_create,
    officer_create,
    resident_create,
)

pytestmark = pytest.mark.django_db(transaction=True)


def login(browser, server, email):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # Residents land on /me/, staff on their dashboard (/workspace/).
    page.wait_for_url(lambda url: url.endswith(("/me/", "/workspace/")))
    return page


def test_officer_starts_codesigns_and_everyone_signs(asgi_server, browser, artifacts):
    department = Department.objects.create(name="Urban Commons Office", slug="commons")
    officer_create(email="olga@example.org", department=department, display_name="Olga Officer")
    officer_create(
        email="silvia@example.org",
        department=department,
        signatory=True,
        display_name="Silvia Signatory",
    )
    rita = resident_create(email="rita@example.org", display_name="Rita Resident")
    group = group_create(representative=rita)
    claim = claim_create(author=rita, group=group, months=24)

    # 1. The officer finds the approved claim and starts the accord.
    officer = login(browser, asgi_server, "olga@example.org")
    officer.goto(asgi_server.url + "/accords/mine/")
    officer.screenshot(path=artifacts / "01-officer-my-accords.png", full_page=True)
    officer.get_by_test_id("ready-claim").get_by_role("link", name="Start the accord").click()
    officer.wait_for_url("**/accords/start/**")
    assert group.name in officer.content()
    officer.screenshot(path=artifacts / "02-start-from-claim.png", full_page=True)
    officer.get_by_role("button", name="Start the accord").click()
    officer.wait_for_url("**/workspace/")
    accord = Accord.objects.get(claim=claim)
    officer.screenshot(path=artifacts / "03-workspace-v1.png", full_page=True)

    # 2. The officer saves version 2 with a typed support item.
    officer.get_by_test_id("edit-link").click()
    officer.get_by_label("Objectives").fill("Keep the rose garden clean, open and in bloom.")
    officer.locator("#id_support-0-kind").select_option("materials_on_loan")
    officer.locator("#id_support-0-description").fill("Pruning shears")
    officer.locator("#id_support-0-quantity").fill("4")
    officer.locator("#id_support-0-unit").fill("pairs")
    officer.get_by_label("What changed").fill("Loan of pruning shears")
    officer.screenshot(path=artifacts / "04-edit-form.png", full_page=True)
    officer.get_by_test_id("save-version").click()
    officer.wait_for_url("**/workspace/#v2")
    assert officer.get_by_test_id("version-2").is_visible()

    # 3. The representative saves version 3 and compares it with version 2.
    rep = login(browser, asgi_server, "rita@example.org")
    rep.goto(asgi_server.url + accord.workspace_url())
    rep.get_by_test_id("edit-link").click()
    rep.get_by_label("The civic actors' commitments").fill(
        "Our time and our own tools.\nA register of the volunteers present."
    )
    rep.get_by_test_id("save-version").click()
    rep.wait_for_url("**/workspace/#v3")
    rep.get_by_test_id("version-3").get_by_role(
        "link", name="Changes from the previous version"
    ).click()
    rep.wait_for_url("**/compare/**")
    assert rep.locator("table.diff ins").count() >= 1
    assert "1 section changed." in rep.get_by_test_id("diff-summary").inner_text()
    rep.screenshot(path=artifacts / "05-compare-v2-v3.png", full_page=True)

    # 4. The representative proposes version 3 as final; the officer agrees.
    rep.goto(asgi_server.url + accord.workspace_url())
    rep.get_by_test_id("propose").click()
    rep.wait_for_load_state()
    officer.goto(asgi_server.url + accord.workspace_url())
    officer.get_by_test_id("agree").click()
    officer.wait_for_url("**/workspace/#signing")
    fingerprint = officer.get_by_test_id("agreed-fingerprint").inner_text().strip()
    assert len(fingerprint) == 64
    officer.screenshot(path=artifacts / "06-agreed-awaiting-signatures.png", full_page=True)

    # 5. The representative signs, re-entering the password.
    rep.goto(asgi_server.url + accord.workspace_url())
    rep.get_by_test_id("sign-link").click()
    rep.get_by_label("Your password").fill(PASSWORD)
    rep.get_by_label("I have read the agreed text and sign it.").check()
    rep.screenshot(path=artifacts / "07-sign-representative.png", full_page=True)
    rep.get_by_test_id("sign-submit").click()
    rep.wait_for_url("**/workspace/#signing")

    # 6. The signatory signs for the city.
    signatory = login(browser, asgi_server, "silvia@example.org")
    signatory.goto(asgi_server.url + "/accords/mine/")
    signatory.get_by_role("link", name=f"{accord.reference} · ").first.click()
    signatory.get_by_label("Your password").fill(PASSWORD)
    signatory.get_by_label("I have read the agreed text and sign it.").check()
    signatory.get_by_test_id("sign-submit").click()
    signatory.wait_for_url("**/workspace/#signing")
    signatory.screenshot(path=artifacts / "08-signed-by-all.png", full_page=True)
    assert Accord.objects.get(pk=accord.pk).state == AccordState.ACTIVE

    # 7. Anyone sees it active in the public registry, with its fingerprint and the PDF.
    public = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    public.goto(asgi_server.url + "/accords/")
    row = public.get_by_test_id("accord-row").filter(has_text=accord.reference)
    assert "Active" in row.get_by_test_id("accord-state").inner_text()
    assert fingerprint[:16] in row.inner_text()
    public.screenshot(path=artifacts / "09-public-registry.png", full_page=True)
    row.get_by_role("link", name=accord.title).click()
    assert public.get_by_test_id("fingerprint").inner_text().strip() == fingerprint
    public.screenshot(path=artifacts / "10-public-detail.png", full_page=True)
    with public.expect_download() as download_info:
        public.get_by_test_id("pdf-link").click()
    download = download_info.value
    path = artifacts / "accord.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download.suggested_filename == f"{accord.reference}-v3.pdf"

    # The registry stays usable on a phone.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone_page = phone.new_page()
    phone_page.goto(asgi_server.url + accord.get_absolute_url())
    phone_page.screenshot(path=artifacts / "11-detail-phone.png", full_page=True)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
