"""KVI resources under /api/v1/tenants/<tenant_slug>/ (see api/urls.py)."""

from django.urls import path

from kvi.api import measurements, views

urlpatterns = [
    path("frameworks/", views.FrameworkList.as_view(), name="api_framework_list"),
    path(
        "frameworks/<uuid:framework_id>/",
        views.FrameworkDetail.as_view(),
        name="api_framework_detail",
    ),
    path("metrics/", views.MetricList.as_view(), name="api_metric_list"),
    path("metrics/<uuid:metric_id>/", views.MetricDetail.as_view(), name="api_metric_detail"),
    path("kvis/", views.KviList.as_view(), name="api_kvi_list"),
    path("kvis/<uuid:kvi_id>/", views.KviDetail.as_view(), name="api_kvi_detail"),
    path(
        "kvis/<uuid:kvi_id>/measurements/",
        measurements.KviMeasurementList.as_view(),
        name="api_kvi_measurement_list",
    ),
    path("measurements/", measurements.MeasurementList.as_view(), name="api_measurement_list"),
]
