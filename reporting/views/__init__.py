"""The board report pages under /t/<tenant>/reports/ (reporting.urls joins each module's
URLs)."""
