"""API fuzzing: schemathesis generates requests from the OpenAPI schema and sends them, as every role,
to a live server. No request may cause a 5xx, and every response must match the schema."""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from accounts.services_tokens import api_token_create
from tests.security.world import build_world

# A partner outside the wall, BD, and an admin who may write everything: together they reach
# every code path (refusals, read-only, writes).
ROLES = ["bob", "carol", "ada"]
MAX_EXAMPLES = 6


def load_schema():
    raw = SchemaGenerator(title="Keyline API").get_schema(request=None, public=True)
    # Round-trip through JSON types (drf-spectacular returns ordered dicts and lazy strings).
    import json

    from rest_framework.utils.encoders import JSONEncoder

    config = SchemathesisConfig.from_dict(
        {
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {"max-examples": MAX_EXAMPLES},
        }
    )
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, cls=JSONEncoder)), config=config)


schema = load_schema()


@pytest.fixture
def tokens(transactional_db):
    world = build_world()
    return {role: api_token_create(actor=world.users[role], name="fuzz")[1] for role in ROLES}


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx, value):
    """The bulk feeds take JSON lines: one generated object per line."""
    rows = value if isinstance(value, list) else [value]
    return "\n".join(json.dumps(row, default=str) for row in rows).encode()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_schema(case, tokens, live_server):
    for role in ROLES:
        case.call_and_validate(
            base_url=live_server.url,
            headers={"Authorization": f"Token {tokens[role]}", "If-Match": "*"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
