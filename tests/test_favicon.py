"""Every page names the site's icon, served from the project's own static files."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_pages_link_the_svg_favicon(client):
    page = client.get("/accords/").content.decode()
    head = page.split("</head>")[0]
    assert 'rel="icon"' in head and 'href="/static/favicon.svg"' in head


def test_the_favicon_is_a_square_svg_in_static():
    path = finders.find("favicon.svg")
    assert path, "static/favicon.svg is missing"
    root = ET.parse(path).getroot()  # noqa: S314 (our own file)
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 32 32"
