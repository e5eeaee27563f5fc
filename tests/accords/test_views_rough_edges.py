"""Workspace rough edges: a refused comment keeps its text, "add another row" saves nothing,
the support table labels its cells for phones, amounts in the language's format."""

import pytest
from django.urls import reverse

from accords.forms import ADD_ROW
from accords.models import VersionComment
from tests.accords.factories import World
from tests.accords.test_views_workspace import version_post

pytestmark = pytest.mark.django_db


def test_a_comment_over_the_limit_is_refused_next_to_the_box_and_its_text_is_kept(client):
    world = World()
    world.start()
    client.force_login(world.rep)
    text = "Long thoughts. " * 300  # over 4000 characters: the box's maxlength was bypassed
    url = reverse("accords:version-comment", args=[world.accord.pk, 1])
    response = client.post(url, {"body": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="comment-1-error"' in page
    error = page.split('id="comment-1-error"')[1].split("</ul>")[0]
    assert "at most 4000 characters" in error
    assert text.strip() in page  # the text is back in the box
    assert not VersionComment.objects.exists()


def test_a_comment_within_the_limit_is_added(client):
    world = World()
    world.start()
    client.force_login(world.rep)
    url = reverse("accords:version-comment", args=[world.accord.pk, 1])
    response = client.post(url, {"body": "Fine by us."})
    assert response.status_code == 302
    assert VersionComment.objects.get().body == "Fine by us."


def three_items() -> dict:
    rows = [("Wheelbarrow", "1"), ("Rakes", "4"), ("Gloves", "10")]
    data = {}
    for i, (description, quantity) in enumerate(rows):
        data |= {
            f"support-{i}-kind": "materials_on_loan",
            f"support-{i}-description": description,
            f"support-{i}-quantity": quantity,
            f"support-{i}-unit": "pieces",
        }
    return data


def test_add_another_row_without_javascript_keeps_the_text_and_saves_no_version(client):
    world = World()
    world.start()
    client.force_login(world.rep)
    url = reverse("accords:version-create", args=[world.accord.pk])
    v1 = world.accord.versions.get()
    first_two = {k: v for k, v in three_items().items() if not k.startswith("support-2-")}
    data = version_post(v1, objectives="Greener, with tools.", **first_two)
    response = client.post(url, {**data, ADD_ROW: "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert world.accord.versions.count() == 1
    assert "Greener, with tools." in page and 'value="Rakes"' in page
    assert 'name="support-TOTAL_FORMS" value="3"' in page
    assert 'name="support-2-kind"' in page
    assert "This field is required." not in page  # nothing was validated yet

    response = client.post(url, version_post(v1, **three_items(), **{"support-TOTAL_FORMS": "3"}))
    assert response.status_code == 302
    v2 = world.accord.versions.get(number=2)
    assert sorted(v2.support_items.values_list("description", flat=True)) == [
        "Gloves",
        "Rakes",
        "Wheelbarrow",
    ]


def test_the_edit_form_carries_an_empty_row_for_the_script_and_saves_on_enter(client):
    world = World()
    world.start()
    client.force_login(world.rep)
    page = client.get(reverse("accords:version-create", args=[world.accord.pk])).content.decode()
    assert "accords/support_rows.js" in page
    template = page.split('<template id="support-row-template">')[1].split("</template>")[0]
    assert 'name="support-__prefix__-kind"' in template
    # Enter submits with the first submit button: it must be "Save", not "Add a row".
    form = page.split('<form method="post" novalidate>')[1]
    first_submit = form.split('type="submit"')[1]
    assert 'data-testid="save-version"' in first_submit.split(">")[0]


def test_the_support_table_names_each_cell_so_phones_can_stack_it(client):
    world = World()
    world.active()
    page = client.get(world.accord.get_absolute_url()).content.decode()
    table = page.split('data-testid="support-table"')[1].split("</table>")[0]
    assert 'class="table-stack"' in page.split('data-testid="support-table"')[0][-40:]
    for label in ("Type", "Description", "Quantity", "Value"):
        assert f'data-label="{label}"' in table


def test_support_values_follow_the_language(client):
    world = World()
    world.active()
    page = client.get(world.accord.get_absolute_url()).content.decode()
    assert "€120.00" in page
    client.cookies["django_language"] = "it"
    page = client.get(world.accord.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "120,00\N{NO-BREAK SPACE}€" in page
