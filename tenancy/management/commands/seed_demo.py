from django.core.management.base import BaseCommand

from tenancy.demo import DEMO_PASSWORD, LOGINS, PLATFORM_ADMIN, build_demo


class Command(BaseCommand):
    help = "Build the demo tenants, organisations and logins (safe to run again)."

    def handle(self, *args, **options):
        build_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password {DEMO_PASSWORD!r}):")
        )
        self.stdout.write(f"  {PLATFORM_ADMIN[0]} (platform admin)")
        for email, _name, slug, role, _org in LOGINS:
            self.stdout.write(f"  {email} ({role} in {slug})")
