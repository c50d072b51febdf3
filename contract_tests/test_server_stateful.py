"""Server side, stateful: Schemathesis' state machine walks the spec's OpenAPI links and judges
each linked read with the built-in checks and this project's `unsubscribe_all_visible` and
`status_write_visible` checks.

Two machines, so that a failure in one family of links cannot stop the other from running:
- opt-out links: (batch) unsubscribe-all -> get_statuses / get_unsubscribe_all_status / batch
  read of the wide statuses;
- write links: update_status -> get_statuses, batch write -> batch read, definitions ->
  update_status (that last link cannot work: it passes a definition's string `id` into the
  integer `subscriptionId`, and Schemathesis does not convert it; test_workflows.py covers
  "definitions feed writes" instead; see contract_tests/README.md).

A stateless mock (Prism, Steady) answers each read with made-up data, so these fail there: that
is the point of them.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, seed, settings

from commprefs_kit.contract.settings import SuiteSettings

LINK_GROUPS = {
    "opt_out_links": [
        "unsubscribe_all",
        "batch_unsubscribe_all",
        "get_statuses",
        "get_unsubscribe_all_status",
        "batch_get_unsubscribe_all_statuses",
    ],
    "write_links": [
        "get_definitions",
        "update_status",
        "batch_update_statuses",
        "get_statuses",
        "batch_get_statuses",
    ],
}


@pytest.mark.parametrize("group", sorted(LINK_GROUPS))
def test_link_workflows(
    group: str,
    api_schema: schemathesis.BaseSchema,
    auth_headers: dict[str, str],
    http_session: requests.Session,
    suite_settings: SuiteSettings,
) -> None:
    schema = api_schema.include(operation_id=LINK_GROUPS[group])
    base: Any = schema.as_state_machine()

    class LinkWorkflows(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": auth_headers, "session": http_session}

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            # `headers` tells Schemathesis the token is the run's own, not a generated one.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=auth_headers,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    seed(suite_settings.seed)(LinkWorkflows).run(
        settings=settings(
            max_examples=suite_settings.stateful_examples,
            stateful_step_count=suite_settings.stateful_steps,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
