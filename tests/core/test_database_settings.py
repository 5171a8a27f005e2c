"""Settings Keyline's database carries for every connection, pooled or not."""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_new_connection_to_keylines_database_has_jit_off():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as fresh:
        assert fresh.execute("SHOW jit").fetchone() == ("off",)
