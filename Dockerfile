# syntax=docker/dockerfile:1
# The production image: gunicorn serves config.wsgi. The same image runs the migrations, the
# Celery worker and Celery beat (see docker-compose.yml).

# --- Front-end packages (NHS.UK frontend, htmx), exactly as package-lock.json says ----------------
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- The application ----------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# WeasyPrint's system libraries (Pango, HarfBuzz) and Liberation Sans, the Arial-compatible font
# the PDFs use (the PDF worker never fetches fonts from the network).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app

# Python packages first: this layer changes only with pyproject.toml or the lock. The project
# itself has no installable packages (the code runs from /app), so only its dependencies install.
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .

COPY . .
COPY --from=assets /app/node_modules ./node_modules

# Static files (whitenoise serves them). Settings need a SECRET_KEY to load; this one is used only
# here and is not in the running image's environment.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private \
    && chown app:app /app/media /app/private

USER app
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
