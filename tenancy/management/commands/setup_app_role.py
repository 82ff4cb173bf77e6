"""Create the application role (if missing) and grant it what the web and workers need.

Run as the owner, after `migrate`:  DJANGO_DB_ROLE=owner python manage.py setup_app_role
The application role can read and write rows but owns nothing, is not a superuser and cannot
bypass row-level security.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from tenancy.dbroles import grant_app_role


class Command(BaseCommand):
    help = "Create the application database role and grant it table privileges."

    def handle(self, *args, **options):
        if connection.settings_dict["USER"] == settings.APP_DATABASE["USER"]:
            raise CommandError(
                "Run this as the owner: DJANGO_DB_ROLE=owner manage.py setup_app_role"
            )
        app_user = settings.APP_DATABASE["USER"]
        password = settings.APP_DATABASE.get("PASSWORD") or None
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_user])
            if cursor.fetchone() is None:
                statement = sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                ).format(sql.Identifier(app_user))
                if password:
                    statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
                cursor.execute(statement.as_string(cursor.connection))
                self.stdout.write(f"Created role {app_user}.")
        grant_app_role(connection, app_user)
        self.stdout.write(self.style.SUCCESS(f"Granted table privileges to {app_user}."))
