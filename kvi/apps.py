from django.apps import AppConfig


class KviConfig(AppConfig):
    name = "kvi"
