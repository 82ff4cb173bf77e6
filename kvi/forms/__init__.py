"""Forms of the KVI pages, one module per area (kvi/forms/<area>.py)."""
