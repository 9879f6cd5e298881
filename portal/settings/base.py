# SPDX-License-Identifier: AGPL-3.0-or-later
"""Vouch settings: everything here is driven by environment variables.

With nothing set, the portal runs embedded: a SQLite file, an in-memory channel layer,
Celery tasks run inline and e-mail goes to the console. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and e-mail settings (see README.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import django.conf.locale
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_decimal, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("VOUCH_TESTING", False)

_DEV_SECRET = "insecure-dev-only-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "daphne",  # first, so runserver serves WebSockets too
    "modeltranslation",  # before the admin and the apps whose fields it translates
    "portal.core",
    "portal.events",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.leads",
    "portal.rewards",
    "portal.payouts",
    "portal.fraud",
    "portal.insight",
    "portal.networks",
    "portal.campaigns",
    "portal.api",
    "portal.webhooks",
    "leaderboard",
    "cms",
    "portal.dashboards",  # after the apps it reads: its live push follows their handlers
    "portal.demo",
    # Wagtail
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "channels",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served from our own static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.middleware.LocaleMiddleware",
    "portal.core.badinput.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "portal.accounts.middleware.StaffAreaMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.accounts.context_processors.navigation",
                "cms.context_processors.content",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'vouch.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL)
except Exception as exc:  # dj-database-url raises several types on bad input
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} cannot be parsed: {exc}") from exc
_conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 0)
_db["CONN_MAX_AGE"] = _conn_max_age
_db["CONN_HEALTH_CHECKS"] = _conn_max_age > 0
if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", False):
    # Django's psycopg pool: for ASGI processes, where persistent connections leak.
    if _db["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DATABASE_POOL needs DATABASE_CONN_MAX_AGE=0")
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 20),
    }
if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_SERVER_SIDE_BINDING", True
):
    # Server-side parameters, and psycopg preparing a statement once a connection has run
    # it DATABASE_PREPARE_THRESHOLD times (Django turns preparing off unless asked): then
    # PostgreSQL stops parsing and planning the same queries on every request (a lead
    # submission's statements cost PostgreSQL about half the CPU). 0 turns it off, for a
    # pooler in transaction mode (PgBouncer), which cannot keep a connection's prepared
    # statements.
    _db.setdefault("OPTIONS", {})["server_side_binding"] = True
    _prepare = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    _db["OPTIONS"]["prepare_threshold"] = _prepare if _prepare > 0 else None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (Channels, live servers) share the file: wait instead of failing.
    _db.setdefault("OPTIONS", {})["timeout"] = 20
    _db["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DATABASES = {"default": _db}
# The insight rollups' covering indexes (INCLUDE) are PostgreSQL's; SQLite builds the same
# indexes without the included columns, and Django warns about it on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if _db["ENGINE"] == "django.db.backends.sqlite3" else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery broker -----------------------------------
REDIS_URL = env_str("REDIS_URL") or ""
if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis:// or rediss://")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub delivers a group message with one PUBLISH per process instead of
            # one message per member: faster fan-out to 1,000 sockets (bench/live_fanout.py).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8: no socket timeout (idle sockets were closed after 5 s) and a
                # pool large enough for mass disconnects (see STACK-NOTES.md).
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 2000}],
                # Pub/sub channels ignore Redis database numbers: installations (or test
                # runs) sharing one Redis server keep apart by prefix.
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "vouch:ch"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vouch",
        }
    }
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    if urlparse(CELERY_BROKER_URL).scheme in {"redis", "rediss"}:
        # Kombu's own, with one Redis client per channel instead of one per message.
        CELERY_BROKER_TRANSPORT = "portal.core.broker:Transport"
    CELERY_TASK_ALWAYS_EAGER = False
    # Sessions are read on every request: from Redis, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
    CELERY_TASK_ALWAYS_EAGER = True  # embedded: tasks run inline
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Domain events (outbox) ---------------------------------------------------------
# A worker holds a claimed event this long; past it, the sweep may take over.
EVENTS_LEASE_SECONDS = env_int("EVENTS_LEASE_SECONDS", 300)
# How many waiting events one worker takes at a time (each handler runs on them together).
EVENTS_BATCH_SIZE = env_int("EVENTS_BATCH_SIZE", 50)
# /healthz fails when the oldest unhandled event is older than this.
EVENTS_MAX_AGE_SECONDS = env_int("EVENTS_MAX_AGE_SECONDS", 300)
# Handled events (and the record of their handlers) are deleted after this many days: the
# outbox is a queue, not a history (the audit log is); nothing reads a handled event.
EVENTS_KEEP_DAYS = env_int("EVENTS_KEEP_DAYS", 30)
# Tests: a failing handler fails the test instead of waiting for the sweep.
EVENTS_RAISE = env_bool("EVENTS_RAISE", False)

# --- Secrets at rest (README "Secrets at rest") --------------------------------------------
# Fernet keys, comma-separated: the first encrypts, all decrypt (rotation). Empty: derived
# from SECRET_KEY (the embedded default).
ENCRYPTION_KEYS = env_str("ENCRYPTION_KEYS", "") or ""

# --- Rate limits (README "Rate limits") ---------------------------------------------------
# Counters live in this cache: Redis in production (`check --deploy` refuses anything else,
# vouch.E001), local memory in the embedded default (portal/core/ratelimit.py).
RATE_LIMIT_CACHE = "default"
# Proxies you run in front of the web servers (docker-compose: nginx = 1). X-Forwarded-For
# is read through exactly this many of them; 0 ignores it (a client could write anything).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Auth and accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's, with the per-request user look-up compiled once.
    "portal.accounts.backends.ModelBackend",
    "portal.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "/"

# Employees sign up only with an address at one of these domains.
COMPANY_EMAIL_DOMAINS = [
    d.lower().lstrip("@") for d in env_list("COMPANY_EMAIL_DOMAINS", ["demo.vouch.test"])
]
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
# Reviewers and finance must have TOTP set up before they use those powers.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)

ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "portal.accounts.forms.SignupForm"}
SOCIALACCOUNT_ADAPTER = "portal.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Vouch] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's defaults, stated so that nobody turns them off by accident.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # The key is account *and* address (AccountAdapter): wrong passwords sent from
    # elsewhere do not lock the account's owner out.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Vouch")

# Company single sign-on through OpenID Connect (README: "Single sign-on").
SOCIALACCOUNT_PROVIDERS: dict = {}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
if env_str("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "company-sso"),
                "name": env_str("OIDC_NAME", "Company SSO"),
                "client_id": env_str("OIDC_CLIENT_ID", ""),
                "secret": env_str("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ],
        "EMAIL_AUTHENTICATION": True,
    }

# --- Leads --------------------------------------------------------------------------
# Region used to read phone numbers written without a country code.
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "FI")
# PII of lost, rejected and withdrawn leads is erased after this many days.
LEAD_RETENTION_DAYS = env_int("LEAD_RETENTION_DAYS", 365)
# ...and of qualified and won leads this many days after their last status change (their
# deal values, commissions and points stay).
LEAD_RETENTION_DAYS_ACTIVE = env_int("LEAD_RETENTION_DAYS_ACTIVE", 1095)
# Public referral form: submissions per link from one client address, and per link in all.
REFERRAL_FORM_RATE = env_str("REFERRAL_FORM_RATE", "5/h")

# Fraud review (portal.fraud): each detector opens a case at its threshold.
FRAUD_WINDOW_DAYS = env_int("FRAUD_WINDOW_DAYS", 30)  # how far back detectors look
FRAUD_SHARED_CLIENT_REFERRERS = env_int("FRAUD_SHARED_CLIENT_REFERRERS", 3)  # distinct referrers
FRAUD_BURST_COUNT = env_int("FRAUD_BURST_COUNT", 5)  # leads by one referrer ...
FRAUD_BURST_MINUTES = env_int("FRAUD_BURST_MINUTES", 10)  # ... within these minutes
FRAUD_MIN_SECONDS_AFTER_VISIT = env_int("FRAUD_MIN_SECONDS_AFTER_VISIT", 5)  # faster: a script
FRAUD_FREE_MAIL_DOMAINS = env_list(
    "FRAUD_FREE_MAIL_DOMAINS",
    ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me"],
)
FRAUD_HEADLESS_AGENTS = env_list(
    "FRAUD_HEADLESS_AGENTS",
    [
        "headless",
        "phantomjs",
        "selenium",
        "puppeteer",
        "playwright",
        "python-requests",
        "curl/",
        "wget/",
        "httpclient",
        "bot",
    ],
)
REFERRAL_FORM_LINK_RATE = env_str("REFERRAL_FORM_LINK_RATE", "100/h")

# --- Payouts ----------------------------------------------------------------------
# Payees whose approved total is below this are left for a later batch.
PAYOUT_MINIMUM = env_decimal("PAYOUT_MINIMUM", "50.00")
EMPLOYEE_BONUS_HOLD_DAYS = env_int("EMPLOYEE_BONUS_HOLD_DAYS", 30)
# The day of the month finance pays partner batches: partners see it as their next
# payout's expected date (1–28).
PAYOUT_DAY_OF_MONTH = env_int("PAYOUT_DAY_OF_MONTH", 15)

# Insight: partner health and referrer profiles (portal/insight).
INSIGHT_QUIET_DAYS = env_int("INSIGHT_QUIET_DAYS", 30)
INSIGHT_HEALTH_PERIOD_DAYS = env_int("INSIGHT_HEALTH_PERIOD_DAYS", 30)
INSIGHT_DROP_PERCENT = env_int("INSIGHT_DROP_PERCENT", 50)
INSIGHT_CONNECTOR_MIN_LEADS = env_int("INSIGHT_CONNECTOR_MIN_LEADS", 10)
INSIGHT_MAVEN_MAX_LEADS = env_int("INSIGHT_MAVEN_MAX_LEADS", 9)
INSIGHT_MAVEN_MIN_WON_PERCENT = env_int("INSIGHT_MAVEN_MIN_WON_PERCENT", 50)
INSIGHT_SALESPERSON_MIN_AVERAGE_DEAL = env_decimal(
    "INSIGHT_SALESPERSON_MIN_AVERAGE_DEAL", "10000.00"
)

# Referral networks (portal/networks): remind the lagging side of a reciprocal
# partnership when one side is this many leads behind the other in the current period.
RECIPROCITY_LAG_THRESHOLD = env_int("RECIPROCITY_LAG_THRESHOLD", 3)
# A won customer's invitation to refer can be used for this many days.
CUSTOMER_INVITATION_TTL_DAYS = env_int("CUSTOMER_INVITATION_TTL_DAYS", 30)
# A customer who referred this many won deals is offered the formal partner path.
PARTNER_PATH_WON_DEALS = env_int("PARTNER_PATH_WON_DEALS", 3)
# A partner that recruits another partner organisation earns, once a reviewer approves
# it: "flat" (RECRUITMENT_REWARD_AMOUNT in RECRUITMENT_REWARD_CURRENCY, once) or
# "percent" (RECRUITMENT_REWARD_PERCENT of each commission the recruit earns in the
# RECRUITMENT_REWARD_MONTHS months after approval). One level only.
RECRUITMENT_REWARD_KIND = env_str("RECRUITMENT_REWARD_KIND", "percent")
RECRUITMENT_REWARD_AMOUNT = env_str("RECRUITMENT_REWARD_AMOUNT", "250.00")
RECRUITMENT_REWARD_CURRENCY = env_str("RECRUITMENT_REWARD_CURRENCY", "EUR")
RECRUITMENT_REWARD_PERCENT = env_str("RECRUITMENT_REWARD_PERCENT", "10")
RECRUITMENT_REWARD_MONTHS = env_int("RECRUITMENT_REWARD_MONTHS", 12)

# --- E-mail ------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vouch <no-reply@vouch.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fi", _("Finnish")),
    ("it", _("Italian")),
    ("lv", _("Latvian")),
    ("ru", _("Russian")),
    ("tl", _("Tagalog")),
]
# Django ships no Tagalog locale data; describe it so language pickers can name it.
django.conf.locale.LANG_INFO.setdefault(
    "tl", {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"}
)
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and number formats Django lacks (Tagalog) or that we write differently.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Helsinki")
# The visitor's choice (footer picker) lives a year; signed-in users keep theirs on User.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# CMS pages: one tree per language, translated with wagtail-localize, at /<lang>/...
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# Database text people read (programs, tiers, badges, rewards...): one column per
# language (django-modeltranslation), empty ones falling back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if not (DEBUG or TESTING):
    # Production serves collected static files itself (runserver and test servers do it
    # from the app folders).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Vouch"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"  # one login for everyone: rate limits and MFA apply
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no calls to outside services from the admin
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Security ---------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes speak plain HTTP inside the network
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Portal pages carry a strict policy with no inline scripts; Wagtail's admin ships its
# own inline scripts and lives behind the staff-only /admin/ prefix.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:", "wss:"] if DEBUG else ["'self'", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "daphne": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Leaderboards -------------------------------------------------------------------------
# Partners see employees by initials unless the program allows names.
LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES = env_bool("LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES", False)
# A Slack or Microsoft Teams incoming webhook for shout-outs (empty: off).
CHAT_WEBHOOK_URL = env_str("CHAT_WEBHOOK_URL", "") or ""
# Celebrate tier-ups and won deals with a toast for everyone connected.
CELEBRATE_AUTOMATICALLY = env_bool("CELEBRATE_AUTOMATICALLY", True)
# Live sockets (leaderboard/hub.py): a client this many messages behind, or that does not
# take one frame in this many seconds, is closed and reconnects.
LIVE_OUTBOX_LIMIT = env_int("LIVE_OUTBOX_LIMIT", 64)
LIVE_SEND_TIMEOUT = float(env_str("LIVE_SEND_TIMEOUT", "10") or 10)

# --- Webhooks and CRM callbacks (README "REST API and webhooks") -------------------------
# Outbound webhooks: per attempt timeout, attempts per delivery, first retry delay (doubling).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60)
# An endpoint is disabled (reviewers are told) after this many failed deliveries in a row.
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 5)
# Plain http:// endpoints only for development; production sends to https:// only.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
# Endpoints resolving to private, loopback or link-local addresses are refused on every
# attempt unless this is on (a receiver inside your own network).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
# Signed requests (CRM callbacks) older or newer than this are refused (replay protection).
SIGNATURE_TOLERANCE_SECONDS = env_int("SIGNATURE_TOLERANCE_SECONDS", 300)

# --- REST API (README "REST API and webhooks") -----------------------------------------
# Requests per client (per user when authenticated, else per IP address), e.g. 600/min.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")
if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT or ""):
    raise ImproperlyConfigured(f"API_RATE_LIMIT={API_RATE_LIMIT!r} must look like 600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its WWW-Authenticate header makes a missing token a 401.
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the docs page, in a browser
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vouch API",
    "DESCRIPTION": (
        "Leads, points, leaderboards, rewards and commissions of the Vouch referral portal. "
        "Authenticate with `Authorization: Bearer <token>` (Settings → API tokens). Every "
        "error is JSON: `code` (stable), `message` (for people) and, for invalid input, "
        "`fields` (errors per field)."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No calls to outside services from the docs page (the validator badge).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "LeadStatusEnum": "portal.leads.models.LeadStatus",
        "CommissionStatusEnum": "portal.payouts.models.CommissionStatus",
        "RedemptionStatusEnum": "portal.rewards.models.RedemptionStatus",
        "RejectionReasonEnum": "portal.leads.models.RejectionReason",
        "OutboundStatusEnum": "portal.networks.models.OutboundStatus",
    },
    # Only /api/v1/ (Wagtail's admin has DRF views of its own, not part of this API).
    "PREPROCESSING_HOOKS": ["portal.api.schema.only_this_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.postprocess",
    ],
}
