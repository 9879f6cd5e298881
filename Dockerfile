FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 vouch
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY leaderboard ./leaderboard
COPY cms ./cms
RUN pip install .
COPY . .
RUN python -m portal.core.catalogs compile --force
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && mkdir -p /app/media && chown -R vouch /app/media
USER vouch

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8"]
