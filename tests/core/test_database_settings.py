"""Settings Keyline's database carries for every connection, pooled or not."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_keylines_database_turns_jit_off_for_every_new_session():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        assert "jit=off" in cursor.fetchone()[0]
    if settings.DATABASE_POOLER == "transaction":
        return  # a pooler hands out server sessions opened before the setting; they take it when renewed
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as fresh:
        assert fresh.execute("SHOW jit").fetchone() == ("off",)
