"""/healthz reports the database, the broker (Redis) and the workers, for real."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_health_without_a_worker_is_degraded(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["broker"] == {"ok": True}
    assert body["workers"]["ok"] is False
    assert body["status"] == "degraded"
    assert response.status_code == 503


def test_health_with_a_worker_attached_is_ok(client):
    # A real worker process on the same broker, under a hostname no other worker uses.
    hostname = f"healthtest-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            hostname,
            "--queues",
            "healthcheck-only",
            "--loglevel",
            "WARNING",
        ],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "REDIS_URL": settings.REDIS_URL},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        body = {}
        while time.monotonic() < deadline:
            body = client.get("/healthz").json()
            if hostname in body["workers"].get("names", []):
                break
            time.sleep(0.5)
        assert hostname in body["workers"]["names"], body
        assert body["status"] == "ok"
        assert body["workers"]["count"] >= 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)
