"""Accords settings: one module, every deploy-time choice read from the environment.

Production defaults are the safe ones: debug is off unless DJANGO_DEBUG says
otherwise, and without debug the project will not start without a secret key.
"""

import os
import sys
from pathlib import Path

import dj_database_url
import dj_email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A one-line refusal, not a traceback: this is a configuration mistake, not a bug.
        sys.exit(
            "Accords refuses to start: set DJANGO_SECRET_KEY, "
            "or DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for typo suggestions (PostgreSQL only)
    "django_filters",
    "django_countries",
    "simple_history",
    "axes",
    "csp",
    "partners",
    "agreements",
    "notifications",
    "documents",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static files
    "corsheaders",
    "import_export",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.languages.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several editors save at once: IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue for it (up to `timeout` seconds) instead of one
    # failing with "database is locked"; WAL lets pages read while someone writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Shared by every worker process, so a change seen by one is seen by all.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "accords_cache",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: "gov.example" means https

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing: five failures for one username from one address lock that
# pair out for an hour; twenty failures from one address, whatever the user names
# (password spraying), lock the address (django-axes, config/login_throttle.py).
# Tries made while locked out are not counted, so one person retrying after a
# lockout does not end up locking out everyone at the same address.
AXES_FAILURE_LIMIT = 5
ACCORDS_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "config.login_throttle.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address (django-ipware). With no proxy, the connection's address:
# X-Forwarded-For is ignored, so a forged header can neither dodge nor cause a
# lockout. Behind DJANGO_PROXY_COUNT=N proxies, each appending the address it got
# the request from to X-Forwarded-For, the client is the N-th entry from the right
# (what the outermost proxy saw); entries further left come from the client and
# are ignored. ipware's proxy_count counts the proxies listed in the header, which
# excludes the last one (it is REMOTE_ADDR), hence N - 1.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
if PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = False  # entries a client added on the left do not void the header

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
# Each language named in itself in the menu; the order is the menu's.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("ru", "Русский"),
    ("kk", "Қазақша"),
]
# The project's catalogues first; then completions of the libraries' own
# catalogues (Django's Kazakh admin is two-thirds translated), which the
# project's strings take precedence over.
# The long date of each language (config/formats); Django's own for everything else.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "libraries"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed files (after collectstatic) in production; plain files otherwise.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded documents. Never served from a public URL: MEDIA_URL is not routed, and
# every download goes through documents.views, which checks who is asking. Local
# disk by default, outside the project's static files; S3-compatible object storage
# (AWS, MinIO, Ceph…) when ACCORDS_S3_BUCKET is set, for several application servers.
MEDIA_ROOT = Path(os.environ.get("ACCORDS_MEDIA_ROOT", BASE_DIR / "media"))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
if os.environ.get("ACCORDS_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ACCORDS_S3_BUCKET"],
            "endpoint_url": os.environ.get("ACCORDS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ACCORDS_S3_REGION") or None,
            # Empty: boto3's own chain (environment, instance role, ~/.aws).
            "access_key": os.environ.get("ACCORDS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ACCORDS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("ACCORDS_S3_PREFIX", ""),
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("ACCORDS_S3_URL_SECONDS", "60")),
            "file_overwrite": False,
            "addressing_style": os.environ.get("ACCORDS_S3_ADDRESSING_STYLE") or None,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Its location follows MEDIA_ROOT; its base_url is never served.
        "OPTIONS": {"base_url": "/no-public-url/"},
    }
# How a download leaves once allowed: "stream" through Django (the default, Range
# requests included), or "redirect" to a pre-signed object-storage URL valid
# ACCORDS_S3_URL_SECONDS. ACCORDS_DOCUMENT_SENDFILE=x-accel-redirect (nginx) or
# x-sendfile (Apache) hands a local file to the reverse proxy instead, under
# ACCORDS_DOCUMENT_SENDFILE_PREFIX (an internal location mapped to MEDIA_ROOT).
ACCORDS_DOCUMENT_DELIVERY = os.environ.get("ACCORDS_DOCUMENT_DELIVERY", "stream")
ACCORDS_DOCUMENT_SENDFILE = os.environ.get("ACCORDS_DOCUMENT_SENDFILE", "").lower()
ACCORDS_DOCUMENT_SENDFILE_PREFIX = os.environ.get(
    "ACCORDS_DOCUMENT_SENDFILE_PREFIX", "/protected-documents/"
)
ACCORDS_DOCUMENT_MAX_BYTES = int(os.environ.get("ACCORDS_DOCUMENT_MAX_MB", "50")) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The read API (api/): JSON only, read-only, personal keys or the session, filters as
# on the pages, cursor pages, calls counted per key and per anonymous address.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle", "api.throttling.KeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": os.environ.get("ACCORDS_API_ANONYMOUS_RATE", "120/minute"),
        "key": os.environ.get("ACCORDS_API_KEY_RATE", "1200/minute"),
    },
    "NUM_PROXIES": int(os.environ.get("DJANGO_PROXY_COUNT", "0")),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accords read API",
    "DESCRIPTION": (
        "Cooperation agreements between government digital agencies, their parties, "
        "milestones and documents. Anonymous callers get public records; staff use a "
        "personal key (Authorization: Bearer acc_…) made on their API keys page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgreementKind": "agreements.models.Agreement.Kind",
        "AgreementStatus": "agreements.models.Agreement.Status",
        "MilestoneStatus": "agreements.models.Milestone.Status",
        "AgencyKind": "partners.models.Agency.Kind",
        "DocumentKind": "documents.models.Document.Kind",
        "LinkKind": "agreements.models.DocumentLink.Kind",
    },
}
# Spreadsheet import in the admin (agreements/imports.py): a confirmed import is one
# transaction; importing needs the change permission, exporting the view permission;
# the uploaded file waits between preview and confirm in the shared cache, so the
# confirm may reach any server process.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# An Excel report is built whole before its first byte is sent (a zip file cannot be
# streamed as it is written), at about 6,000 rows a second: beyond this many rows
# the pages offer the CSV, which streams at once (export_milestones has no limit).
ACCORDS_WORKBOOK_MAX_ROWS = int(os.environ.get("ACCORDS_WORKBOOK_MAX_ROWS", "100000"))
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# Where export_open_data writes the files the Open data page offers (MEDIA_ROOT/open-data).
ACCORDS_OPEN_DATA_DIR = os.environ.get("ACCORDS_OPEN_DATA_DIR", "")
# Other sites' pages may call the API from the browser only from these origins.
CORS_ALLOWED_ORIGINS = env_list("ACCORDS_API_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "accept", "accept-language", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# HTTPS: on unless debugging locally. Behind a TLS-terminating proxy, the
# proxy must set X-Forwarded-Proto so Django knows the request was HTTPS.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True  # read by the server only
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: our own origin only, and no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# The site's own address, for links in e-mails, calendar feeds and command-line reports.
ACCORDS_BASE_URL = os.environ.get("ACCORDS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# E-mail, for the reminders (manage.py send_reminders): EMAIL_URL in one piece
# (smtp://user:password@host:587/?tls=True, smtp+ssl://…:465), or EMAIL_HOST and
# its companions; without either, development prints e-mails on the console and
# production hands them to the mail server on localhost:25.
if os.environ.get("EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST, EMAIL_PORT = _email["EMAIL_HOST"], _email["EMAIL_PORT"]
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_USER"], _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS, EMAIL_USE_SSL = _email["EMAIL_USE_TLS"], _email["EMAIL_USE_SSL"]
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A mail server that stops answering fails the digest (sent again next run), not the
# run. Shorter than SQLite's lock timeout: a digest is sent inside its transaction.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Accords <accords@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
