from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from tenancy.demo import DEMO_PASSWORD, LOGINS, PLATFORM_ADMIN


def demo_builders():
    """`build_demo()` of every installed app that has a `demo` module, in INSTALLED_APPS order
    (the kernel's first), so each domain app adds its own demo data without the kernel
    importing it."""
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.demo"
        if find_spec(module_name) is not None:
            module = import_module(module_name)
            if hasattr(module, "build_demo"):
                yield app_config.label, module.build_demo


class Command(BaseCommand):
    help = "Build the demo tenants, organisations, logins and each app's demo data (repeatable)."

    def handle(self, *args, **options):
        for label, build_demo in demo_builders():
            build_demo()
            self.stdout.write(f"Demo data ready: {label}")
        self.stdout.write(self.style.SUCCESS(f"Logins (password {DEMO_PASSWORD!r}):"))
        self.stdout.write(f"  {PLATFORM_ADMIN[0]} (platform admin)")
        for email, _name, slug, role, _org in LOGINS:
            self.stdout.write(f"  {email} ({role} in {slug})")
