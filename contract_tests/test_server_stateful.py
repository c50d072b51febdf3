"""Server side, stateful: Schemathesis' state machine walks the spec's OpenAPI links
(unsubscribe-all -> reads, status write -> read back, definitions -> status write, batch write
-> batch read) and judges each linked read with the built-in checks and this project's
`unsubscribe_all_visible` and `status_write_visible` checks.

A stateless mock (Prism, Steady) answers each read with made-up data, so these fail there: that
is the point of them.
"""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, settings

from commprefs_kit.contract.settings import SuiteSettings


def test_link_workflows(
    api_schema: schemathesis.BaseSchema,
    auth_headers: dict[str, str],
    http_session: requests.Session,
    suite_settings: SuiteSettings,
) -> None:
    base: Any = api_schema.as_state_machine()

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
            # `headers` tells Schemathesis the token is ours, not generated (ignored_auth).
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=auth_headers,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    LinkWorkflows.run(
        settings=settings(
            max_examples=suite_settings.stateful_examples,
            stateful_step_count=suite_settings.stateful_steps,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
