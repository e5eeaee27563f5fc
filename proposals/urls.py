from django.urls import path

from proposals.views import actions, attachments, claims, office, resources

app_name = "proposals"

urlpatterns = [
    # Public: the resource registry
    path("resources/", resources.resource_list, name="resource-list"),
    path("resources/new/", resources.resource_create, name="resource-create"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource-detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource-edit"),
    # Public: claims, and the proposers' actions
    path("claims/", claims.claim_list, name="claim-list"),
    path("claims/mine/", claims.claim_mine, name="claim-mine"),
    path("claims/new/", claims.claim_create, name="claim-create"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/edit/", claims.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/submit/", actions.claim_submit, name="claim-submit"),
    path("claims/<int:pk>/withdraw/", actions.claim_withdraw, name="claim-withdraw"),
    path("claims/<int:pk>/delete/", actions.claim_delete, name="claim-delete"),
    path("claims/<int:pk>/documents/", actions.claim_documents, name="claim-documents"),
    path("claims/<int:pk>/support/", actions.claim_support, name="claim-support"),
    path("claims/<int:pk>/coauthors/", actions.coauthor_invite, name="coauthor-invite"),
    path("claims/<int:pk>/coauthors/answer/", actions.coauthor_answer, name="coauthor-answer"),
    path("claims/<int:pk>/attachments/", actions.attachment_upload, name="attachment-upload"),
    path(
        "claims/<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_download,
        name="attachment-download",
    ),
    path(
        "claims/<int:pk>/attachments/<int:attachment_pk>/delete/",
        actions.attachment_delete,
        name="attachment-delete",
    ),
    # The officer workspace
    path("office/", office.office_queue, name="office-queue"),
    path("office/claims/<int:pk>/", office.office_claim, name="office-claim"),
    path(
        "office/claims/<int:pk>/resource/",
        resources.resource_from_claim,
        name="office-claim-resource",
    ),
    path("office/reviews/", office.review_inbox, name="review-inbox"),
    path("office/reviews/<int:pk>/", office.review_answer, name="review-answer"),
]
