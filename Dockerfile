# Production image: gunicorn serves the app (behind the proxy of deploy/caddy.Dockerfile); the
# same image runs the Celery worker and beat, and `manage.py backup` / `restore`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=send_portal.settings.production

# WeasyPrint needs Pango; libharfbuzz-subset0 keeps PDF font subsetting fast. pg_dump and
# pg_restore (PostgreSQL 15's, as the database's) for backups.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# The lock: every package pinned and checked against its hashes.
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY . .
# The project compiled to bytecode here: with PYTHONDONTWRITEBYTECODE, every process (each
# worker, each `manage.py` command) would otherwise compile the modules it imports, about 0.3 s.
RUN python -m compileall -q . \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --home /app send \
 && mkdir -p /app/media /app/backups /var/lib/send-beat \
 && chown send /app/media /app/backups /var/lib/send-beat
USER send

EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "send_portal.wsgi:application"]
