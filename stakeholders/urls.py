from django.urls import path

from stakeholders.views import client_pages, imports, people, privacy

urlpatterns = [
    path("clients/<int:pk>/stakeholders/", client_pages.org_chart, name="stakeholder-org-chart"),
    path("clients/<int:pk>/stakeholders/map/", client_pages.stakeholder_map, name="stakeholder-map"),
    path("clients/<int:pk>/stakeholders/gaps/", client_pages.coverage_gaps, name="stakeholder-gaps"),
    path("clients/<int:pk>/stakeholders/matrix/", client_pages.coverage_matrix, name="stakeholder-matrix"),
    path("clients/<int:pk>/stakeholders/new/", people.stakeholder_create, name="stakeholder-create"),
    path("clients/<int:pk>/stakeholders/export.csv", imports.stakeholder_export, name="stakeholder-export"),
    path("clients/<int:pk>/interactions/", client_pages.timeline, name="interaction-timeline"),
    path("clients/<int:pk>/interactions/log/", client_pages.interaction_log, name="interaction-log"),
    path("clients/<int:pk>/interactions/export.csv", imports.interaction_export, name="interaction-export"),
    path("stakeholders/<int:pk>/", people.stakeholder_detail, name="stakeholder-detail"),
    path("stakeholders/<int:pk>/relationships/", people.relationship_set, name="relationship-set"),
    path("stakeholders/<int:pk>/merge/", people.stakeholder_merge, name="stakeholder-merge"),
    path("stakeholders/<int:pk>/personal-data.json", privacy.personal_data_export, name="stakeholder-personal-data"),
    path("stakeholders/<int:pk>/erase/", privacy.personal_data_erase, name="stakeholder-erase"),
    path("relationships/<int:pk>/remove/", people.relationship_remove, name="relationship-remove"),
    path("relationships/<int:pk>/primary/", people.relationship_make_primary, name="relationship-primary"),
    path("people/<int:pk>/relationships/", people.person_relationships, name="person-relationships"),
    path("who-knows-whom/", people.who_knows_whom, name="who-knows-whom"),
    path("stakeholder-imports/", imports.import_upload, name="stakeholder-import"),
    path("stakeholder-imports/<int:pk>/", imports.import_detail, name="stakeholder-import-detail"),
    path("stakeholder-imports/<int:pk>/run/", imports.import_run, name="stakeholder-import-run"),
]
