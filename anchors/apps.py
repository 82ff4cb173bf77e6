from django.apps import AppConfig


class AnchorsConfig(AppConfig):
    name = "anchors"

    def ready(self):
        from anchors import receivers  # noqa: F401  (connects the charters signal receivers)
