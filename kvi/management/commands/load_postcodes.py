"""Load a release of the ONS postcode directory (ONSPD or NSPL CSV), once per release.

    python manage.py load_postcodes ONSPD_NOV_2025_UK.csv --release "ONSPD November 2025"

Columns are found by their stem, whatever the release calls them; the deprivation edition is
read from the column name unless given. All or nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from kvi.postcodes import PostcodeDirectoryError, load_postcode_directory


class Command(BaseCommand):
    help = "Load an ONSPD/NSPL postcode directory CSV as a new release (platform admins)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The directory's CSV file")
        parser.add_argument("--release", required=True, help='e.g. "ONSPD November 2025"')
        parser.add_argument(
            "--edition", choices=["IoD2019", "IoD2025"], help="Deprivation edition, if not IMD25"
        )

    def handle(self, *args, path, release, edition=None, **options):
        try:
            loaded = load_postcode_directory(
                path, release_name=release, deprivation_edition=edition
            )
        except (PostcodeDirectoryError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded.rows:,} postcodes as {loaded.name!r} "
                f"(district column {loaded.district_column}, "
                f"deprivation {loaded.deprivation_column or 'none'} {loaded.deprivation_edition})."
            )
        )
