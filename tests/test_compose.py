"""docker-compose.yml is valid Compose and runs the services the deployment needs, with the web
and the workers on the application role. These tests read files only: no database."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"


def _check_jsonschema() -> str:
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("check-jsonschema")
    assert found, "check-jsonschema is not installed (it is in the dev extras)"
    return found


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_file_matches_the_compose_specification():
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_defines_the_services():
    compose = _compose()
    assert "version" not in compose
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(compose["services"])


def test_only_migrate_connects_as_the_owner():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "DJANGO_DB_ROLE" not in environment, name
        assert environment["DATABASE_APP_URL"].startswith("postgres://svp_app:"), name
    assert services["migrate"]["environment"]["DJANGO_DB_ROLE"] == "owner"
    assert services["web"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_worker_consumes_every_queue():
    command = " ".join(_compose()["services"]["worker"]["command"])
    assert "-Q default,imports,pdf" in command
