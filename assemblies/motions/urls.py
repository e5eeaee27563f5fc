from django.urls import path

from assemblies.motions import views

app_name = "motions"

urlpatterns = [
    path("meetings/<int:meeting_id>/console/", views.console, name="console"),
    path("meetings/<int:meeting_id>/new/", views.motion_create, name="create"),
    path("meetings/<int:meeting_id>/checkin/", views.checkin, name="checkin"),
    path("meetings/<int:meeting_id>/pairing/", views.pairing, name="pairing"),
    path("meetings/<int:meeting_id>/tokens/", views.token_issue, name="token-issue"),
    path("meetings/<int:meeting_id>/projector/", views.projector, name="projector"),
    path("meetings/<int:meeting_id>/vote/", views.vote_page, name="vote-page"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/open/", views.motion_open, name="open"),
    path("<int:pk>/close/", views.motion_close, name="close"),
    path("<int:pk>/discard/", views.motion_discard, name="discard"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("objections/<int:pk>/withdraw/", views.objection_withdraw, name="objection-withdraw"),
    path("objections/<int:pk>/overrule/", views.objection_overrule, name="objection-overrule"),
    path("tablets/<int:pk>/revoke/", views.tablet_revoke, name="tablet-revoke"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/pair/", views.kiosk_pair, name="kiosk-pair"),
    path("kiosk/vote/", views.kiosk_vote, name="kiosk-vote"),
]
