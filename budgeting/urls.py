from django.urls import path

from budgeting.views import manage, public, results, voting

app_name = "budgeting"

urlpatterns = [
    path("", public.process_list, name="process-list"),
    path("new/", manage.process_form, name="process-create"),
    path("<int:pk>/", public.process_detail, name="process-detail"),
    path("<int:pk>/edit/", manage.process_form, name="process-edit"),
    path("<int:pk>/manage/", manage.process_manage, name="process-manage"),
    path("<int:pk>/manage/phase/", manage.process_transition_view, name="process-transition"),
    path("<int:pk>/manage/lots/", manage.lots_draw_view, name="process-lots"),
    path("<int:pk>/projects/", public.project_list, name="project-list"),
    path("<int:pk>/projects/new/", public.idea_submit, name="project-submit"),
    path("<int:pk>/projects/add/", manage.project_form, name="project-create"),
    path("<int:pk>/projects/<int:project_pk>/", public.project_detail, name="project-detail"),
    path("<int:pk>/projects/<int:project_pk>/edit/", manage.project_form, name="project-edit"),
    path(
        "<int:pk>/projects/<int:project_pk>/review/",
        manage.project_review_view,
        name="project-review",
    ),
    path(
        "<int:pk>/projects/<int:project_pk>/withdraw/",
        public.project_withdraw_view,
        name="project-withdraw",
    ),
    path("<int:pk>/vote/", voting.ballot_view, name="ballot"),
    path("<int:pk>/results/", results.results_view, name="results"),
    path("<int:pk>/results/compute/", manage.results_compute_view, name="results-compute"),
    path("<int:pk>/results/publish/", manage.results_publish_view, name="results-publish"),
    path("<int:pk>/results.csv", results.results_csv, name="results-csv"),
    path("<int:pk>/statistics/", results.statistics_view, name="statistics"),
    path("<int:pk>/export.pb", results.export_pb, name="export-pb"),
]
