from django.urls import path

from budgeting.live.views import console, kiosk, public

app_name = "pb_live"

urlpatterns = [
    path("sessions/", console.session_list, name="session-list"),
    path("sessions/new/", console.session_form, name="session-create"),
    path("sessions/<int:pk>/", console.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", console.session_form, name="session-edit"),
    path("sessions/<int:pk>/state/", console.session_transition, name="session-transition"),
    path("sessions/<int:pk>/pairing/", console.pairing_issue, name="pairing-issue"),
    path(
        "sessions/<int:pk>/tablets/<int:tablet_pk>/revoke/",
        console.tablet_revoke,
        name="tablet-revoke",
    ),
    path("sessions/<int:pk>/codes/reset/", console.codes_reset, name="codes-reset"),
    path("sessions/<int:pk>/checkin/", console.checkin_create, name="checkin-create"),
    path("sessions/<int:pk>/tokens/<int:token_pk>/void/", console.token_void, name="token-void"),
    path(
        "sessions/<int:pk>/tokens/<int:token_pk>/reissue/",
        console.token_reissue,
        name="token-reissue",
    ),
    path("sessions/<int:pk>/reconciliation/", console.session_reconcile, name="session-reconcile"),
    path("sessions/<int:pk>/paper/", public.paper_ballot, name="paper-ballot"),
    path("kiosk/", kiosk.kiosk, name="kiosk"),
    path("kiosk/pair/", kiosk.kiosk_pair, name="kiosk-pair"),
    path("kiosk/claim/", kiosk.kiosk_claim, name="kiosk-claim"),
    path("kiosk/ballot/", kiosk.kiosk_ballot, name="kiosk-ballot"),
    path("kiosk/cast/", kiosk.kiosk_cast, name="kiosk-cast"),
    path("kiosk/void/", kiosk.kiosk_void, name="kiosk-void"),
    path("processes/<int:pk>/projector/", public.projector, name="projector"),
]
