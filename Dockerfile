FROM python:3.11-slim

# `make release` passes the version from pyproject.toml and the lock file's digest.
ARG VERSION=unreleased
ARG LOCK_SHA256=unknown
LABEL org.opencontainers.image.title="Vouch" \
      org.opencontainers.image.description="Open-source, self-hosted referral portal" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.vouch.lock.sha256="${LOCK_SHA256}"

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 vouch
# Exactly the locked packages, each checked against its hash.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --require-hashes -r requirements/lock.txt
COPY pyproject.toml README.md LICENSE ./
COPY portal ./portal
COPY leaderboard ./leaderboard
COPY cms ./cms
RUN pip install --no-deps --no-build-isolation .
COPY . .
RUN python -m portal.core.catalogs compile --force
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && mkdir -p /app/media && chown -R vouch /app/media
USER vouch

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8"]
