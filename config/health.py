"""`/healthz`: the state of the database, the broker and the workers, as JSON."""

from django.db import connection, transaction
from django.http import JsonResponse

from config.celery import app as celery_app


def _database() -> dict:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # noqa: BLE001 - health reports any failure
        return {"ok": False, "error": str(error)}


def _broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error)}


def _workers() -> dict:
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "count": 0, "error": str(error)}
    names = sorted(name for reply in replies for name in reply)
    return {"ok": bool(names), "count": len(names), "names": names}


def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    checks["workers"] = _workers() if checks["broker"]["ok"] else {"ok": False, "count": 0}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )
