"""Schemathesis sends every operation of the API's schema requests made from that schema,
valid and invalid, and checks each answer with all its default checks: no server error, a
documented status code and content type, a body that conforms to the schema, invalid input
refused and valid input accepted, 405 for an undocumented method. On SQLite in `make test` and
on PostgreSQL in CI's second run (stricter about NUL characters and string lengths)."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# Fixed seed and a bounded number of generated requests per operation and phase, so that a run
# is the same each time and the file takes well under two minutes.
MAX_EXAMPLES = 25
# Requests sent, by operation, to report at the end (module-scoped: one xdist worker runs the file).
SENT = {}


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_transaction():
    """The WSGI handler closes the database connection after each request (inside the test's
    transaction, PostgreSQL's connection counts as obsolete), which would end the transaction;
    Django's test client stops the same signal for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _report_cases():
    yield
    total = sum(SENT.values())
    print(f"\nschemathesis: {total} requests over {len(SENT)} operations")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_to_its_schema(wpsr, case):
    case.call_and_validate()
    SENT[case.operation.label] = SENT.get(case.operation.label, 0) + 1
