"""Settings for the test suite: the real settings, with environment defaults for the machine's
PostgreSQL on 127.0.0.1. Anything already in the environment wins."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keyline")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijkl")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.pop("DATABASE_REPLICA_URL", None)  # the replica tests start a replica of the test server themselves
if not os.environ.get("KEYLINE_TEST_REDIS"):
    os.environ.pop("REDIS_URL", None)  # eager tasks, unless a test run asks for the real broker
    os.environ.pop("CELERY_BROKER_URL", None)

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
