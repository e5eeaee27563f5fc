from django.urls import path

from accords.views import life, registry, workspace

app_name = "accords"

urlpatterns = [
    # Public registry and open data
    path("", registry.accord_list, name="accord-list"),
    path("export.csv", registry.export_csv, name="accord-export-csv"),
    path("export.json", registry.export_json, name="accord-export-json"),
    path("<int:pk>/", registry.accord_detail, name="accord-detail"),
    path("<int:pk>/compare/", registry.version_compare, name="version-compare"),
    path("<int:pk>/versions/<int:number>/", registry.version_detail, name="version-detail"),
    path("<int:pk>/versions/<int:number>/pdf/", registry.version_pdf_view, name="version-pdf"),
    path(
        "<int:pk>/versions/<int:number>/canonical.json",
        registry.version_canonical,
        name="version-canonical",
    ),
    path("<int:pk>/photos/<int:photo_pk>/", registry.report_photo, name="report-photo"),
    # Workspace: start, co-design, signing
    path("mine/", workspace.accord_mine, name="accord-mine"),
    path("start/<int:claim_pk>/", workspace.accord_start, name="accord-start"),
    path("<int:pk>/workspace/", workspace.accord_workspace, name="accord-workspace"),
    path("<int:pk>/edit/", workspace.version_create, name="version-create"),
    path(
        "<int:pk>/versions/<int:number>/comment/",
        workspace.version_comment,
        name="version-comment",
    ),
    path(
        "<int:pk>/versions/<int:number>/propose/",
        workspace.version_propose,
        name="version-propose",
    ),
    path("<int:pk>/versions/<int:number>/agree/", workspace.version_agree, name="version-agree"),
    path("<int:pk>/sign/", workspace.accord_sign, name="accord-sign"),
    path("<int:pk>/reopen/", workspace.accord_reopen, name="accord-reopen"),
    path("<int:pk>/cancel/", workspace.accord_cancel, name="accord-cancel"),
    # Life after signing
    path("<int:pk>/suspend/", life.accord_suspend, name="accord-suspend"),
    path("<int:pk>/resume/", life.accord_resume, name="accord-resume"),
    path("<int:pk>/terminate/", life.accord_terminate, name="accord-terminate"),
    path("<int:pk>/archive/", life.accord_archive, name="accord-archive"),
    path("<int:pk>/extend/", life.accord_extend, name="accord-extend"),
    path("<int:pk>/renew/", life.accord_renew, name="accord-renew"),
    path("<int:pk>/support/<int:item_pk>/", life.support_update, name="support-update"),
    path("<int:pk>/reports/new/", life.report_create, name="report-create"),
    path("<int:pk>/reports/<int:report_pk>/", life.report_detail, name="report-detail"),
    path("<int:pk>/disputes/new/", life.dispute_create, name="dispute-create"),
    path("<int:pk>/disputes/<int:dispute_pk>/", life.dispute_detail, name="dispute-detail"),
]
