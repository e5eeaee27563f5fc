from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("citizens.urls")),
    # The staff workspace: where everyone lands after logging in (residents go on to /me/)
    path("workspace/", include("core.urls")),
    path("budgeting/live/", include("budgeting.live.urls")),
    path("budgeting/", include("budgeting.urls")),
    path("api/", api.urls),
    path("search/", include("search.urls")),
    # Public-commons accords: registry, open data, co-design and signing workspace
    path("accords/", include("accords.urls")),
    # Claims (/claims/), the resource registry (/resources/) and the officer workspace (/office/)
    path("", include("proposals.urls")),
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from its page tree; keep this last.
urlpatterns += [path("", include(wagtail_urls))]
