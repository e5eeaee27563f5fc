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
    # Follows, notification preferences, "My activity" (/me/...) and unsubscribe links
    path("", include("follows.urls")),
    path("me/", include("citizens.urls")),
    # The staff workspace: where everyone lands after logging in (residents go on to /me/)
    path("workspace/", include("core.urls")),
    path("budgeting/live/", include("budgeting.live.urls")),
    # Implementation tracking: /budgeting/<id>/implementation/ and the officers' /implementation/
    path("", include("implementation.urls")),
    path("budgeting/", include("budgeting.urls")),
    path("api/", api.urls),
    path("search/", include("search.urls")),
    # Public-commons accords: registry, open data, co-design and signing workspace
    path("accords/", include("accords.urls")),
    # What the commons give back: "Commons in numbers", contribution logs, shifts, open data
    path("contributions/", include("contributions.urls")),
    # Meeting records (attendance, minutes, decisions) and formal opinions on claims
    path("assemblies/records/", include("assemblies.records.urls")),
    # Assemblies of the Commons, their meetings and the Chamber of the Commons
    path("assemblies/", include("assemblies.urls")),
    # Live motions in meetings: the chair's console, projector, members' page, room tablets
    path("motions/", include("assemblies.motions.urls")),
    # Comments on any host (/comments/...) and the moderators' queue (/office/moderation/)
    path("", include("comments.urls")),
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
