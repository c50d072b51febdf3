"""Stateful workflows the spec's links cannot express, as a Hypothesis state machine that drives
the generated client against the target and compares each read with the read before the write.

Rules judged (each is a row/column of the report; see mock_server/README.md for the behaviour
HubSpot leaves unconfirmed, which the mock documents):

- wf_definitions_feed_writes: every active definition's string `id` is a `subscriptionId` that
  status writes accept and that the contact's statuses list;
- wf_unsubscribe_all_visible: after a (batch) unsubscribe-all every subscription of the contact
  reads UNSUBSCRIBED and an UNSUBSCRIBED wide status exists, in single and batch reads alike,
  and the verbose answer reports each subscription with the reason for its change;
- wf_write_read_back: after a (batch) status write the subscription reads the written status,
  every other subscription keeps its status, and the reported reason matches the change;
- wf_resubscribe: a write that leaves a subscription not UNSUBSCRIBED ends the contact's
  opt-out from all email (RESUBSCRIBE_OCCURRED when it was UNSUBSCRIBED);
- wf_contacts_case_insensitive: the same address in another letter case is the same contact.

These need a server that keeps state: on Prism or Steady they fail, as they should.
"""

from __future__ import annotations

from typing import Any

import pytest
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.models import (
    PublicStatus,
    SetStatusSuccessReason,
    SubscriptionStatus,
    WideStatusType,
)
from hubspot_communication_preferences.types import Unset
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from commprefs_kit.contract.consent_api import ConsentApi
from commprefs_kit.contract.results import ContractResults
from commprefs_kit.contract.settings import WORKFLOW_STEPS, SuiteSettings

UNSUBSCRIBED = SubscriptionStatus.UNSUBSCRIBED
SUBSCRIBED = SubscriptionStatus.SUBSCRIBED
NOT_SPECIFIED = SubscriptionStatus.NOT_SPECIFIED
NO_CHANGE = SetStatusSuccessReason.NO_STATUS_CHANGE
UNSUBSCRIBE_FROM_ALL = SetStatusSuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED
RESUBSCRIBE = SetStatusSuccessReason.RESUBSCRIBE_OCCURRED
REQUESTED = SetStatusSuccessReason.REQUESTED_CHANGE_OCCURRED


def emails() -> st.SearchStrategy[str]:
    """Plain addresses, some with `+tag` (a `+` must survive the path as itself)."""
    local = st.from_regex(r"[a-z0-9]{1,10}(\+[a-z0-9]{1,4})?", fullmatch=True)
    domain = st.sampled_from(["example.com", "example.org", "mail.example.net"])
    return st.builds("{}@{}".format, local, domain)


def expected_reason(before: SubscriptionStatus, after: SubscriptionStatus) -> Any:
    if before == after:
        return NO_CHANGE
    if before == UNSUBSCRIBED and after == SUBSCRIBED:
        return RESUBSCRIBE
    return REQUESTED


def show(value: Any) -> str:
    """An enum as its value, an absent field as 'absent'."""
    if isinstance(value, Unset):
        return "absent"
    return str(getattr(value, "value", value))


def status_of(statuses: dict[int, PublicStatus], subscription_id: int) -> SubscriptionStatus:
    status = statuses.get(subscription_id)
    return NOT_SPECIFIED if status is None else status.status


def test_consent_workflows(
    client: AuthenticatedClient,
    contract_results: ContractResults,
    suite_settings: SuiteSettings,
) -> None:
    api = ConsentApi(client)
    expect = contract_results.expect
    definitions = [d for d in api.definitions() if d.is_active]
    numeric = [int(d.id) for d in definitions if d.id.isdigit()]
    feeds = bool(definitions) and len(numeric) == len(definitions)
    contract_results.record_check(
        "get_definitions",
        "wf_definitions_feed_writes",
        passed=feeds,
        title="definitions do not feed status writes",
        message="active definitions and their ids: "
        + (", ".join(repr(d.id) for d in definitions) or "none")
        + " (a definition's string id must be a whole number to be a subscriptionId)",
    )
    # Without usable definitions (a stateless mock's "string" ids) the workflows still run on
    # the subscriptions a status read lists, so that what they find gets reported too.
    subscription_ids = numeric or sorted(api.statuses("definitions.fallback@example.com"))
    if not subscription_ids:
        pytest.fail("the target lists no subscriptions to write: nothing to test")

    class ConsentWorkflows(RuleBasedStateMachine):
        contacts = Bundle("contacts")

        @initialize(target=contacts, email=emails())
        def first_contact(self, email: str) -> str:
            # Definitions feed writes: the contact's statuses list exactly the definitions.
            listed = set(api.statuses(email))
            expect(
                "get_definitions",
                "wf_definitions_feed_writes",
                listed == set(subscription_ids),
                f"statuses list subscriptions {sorted(listed)}, definitions name "
                f"{sorted(subscription_ids)}",
            )
            return email

        @rule(target=contacts, email=emails())
        def new_contact(self, email: str) -> str:
            return email

        def check_opted_out(self, operation: str, email: str) -> None:
            statuses = api.statuses(email)
            still = {sid: s.status.value for sid, s in statuses.items() if s.status != UNSUBSCRIBED}
            expect(
                operation,
                "wf_unsubscribe_all_visible",
                not still and set(statuses) == set(subscription_ids),
                f"after {operation}({email!r}) get_statuses reads {still or 'no statuses'}",
            )
            wide = api.wide(email)
            expect(
                operation,
                "wf_unsubscribe_all_visible",
                any(
                    w.status == UNSUBSCRIBED and w.wide_status_type == WideStatusType.PORTAL_WIDE
                    for w in wide
                ),
                f"after {operation}({email!r}) get_unsubscribe_all_status has no UNSUBSCRIBED "
                f"PORTAL_WIDE status: {[w.to_dict() for w in wide]}",
            )
            batch = api.batch_statuses([email]).get(email, {})
            batch_wide = api.batch_wide([email]).get(email, [])
            expect(
                operation,
                "wf_unsubscribe_all_visible",
                {sid: s.status for sid, s in batch.items()}
                == {sid: s.status for sid, s in statuses.items()}
                and len(batch_wide) == len(wide),
                f"after {operation}({email!r}) the batch reads disagree with the single reads",
            )

        def check_reported(
            self, operation: str, before: dict[int, PublicStatus], reported: list[PublicStatus]
        ) -> None:
            got = {s.subscription_id: s for s in reported}
            wrong = {
                sid: (show(status.status), show(status.set_status_success_reason))
                for sid, status in got.items()
                if status.status != UNSUBSCRIBED
                or status.set_status_success_reason
                != (NO_CHANGE if status_of(before, sid) == UNSUBSCRIBED else UNSUBSCRIBE_FROM_ALL)
            }
            expect(
                operation,
                "wf_unsubscribe_all_visible",
                set(got) == set(subscription_ids) and not wrong,
                f"verbose {operation} reported {sorted(got)} (expected every subscription "
                f"{sorted(subscription_ids)}), wrong status/reason: {wrong}",
            )

        @rule(contact=contacts)
        def unsubscribe_all(self, contact: str) -> None:
            before = api.statuses(contact)
            reported = api.unsubscribe_all(contact)
            self.check_reported("unsubscribe_all", before, reported)
            self.check_opted_out("unsubscribe_all", contact)

        @rule(batch=st.lists(contacts, min_size=1, max_size=4, unique=True), verbose=st.booleans())
        def batch_unsubscribe_all(self, batch: list[str], verbose: bool) -> None:
            before = {email: api.statuses(email) for email in batch}
            answer = api.batch_unsubscribe_all(batch, verbose=verbose)
            answered = sorted(item.subscriber_id_string for item in answer.results)
            expect(
                "batch_unsubscribe_all",
                "wf_unsubscribe_all_visible",
                answered == sorted(batch),
                f"batch_unsubscribe_all({batch}) answered for {answered}",
            )
            for item in answer.results:
                if verbose and item.subscriber_id_string in before:
                    statuses = item.statuses if isinstance(item.statuses, list) else []
                    self.check_reported(
                        "batch_unsubscribe_all", before[item.subscriber_id_string], statuses
                    )
            for email in batch:
                self.check_opted_out("batch_unsubscribe_all", email)

        def check_write(
            self,
            operation: str,
            email: str,
            subscription_id: int,
            state: SubscriptionStatus,
            before: dict[int, PublicStatus],
            reported: PublicStatus,
        ) -> None:
            was = status_of(before, subscription_id)
            want_reason = expected_reason(was, state)
            expect(
                operation,
                "wf_write_read_back",
                reported.status == state and reported.set_status_success_reason == want_reason,
                f"{operation} {email!r} #{subscription_id} {was.value}->{state.value} reported "
                f"{show(reported.status)} / {show(reported.set_status_success_reason)} "
                f"(expected {state.value} / {want_reason.value})",
            )
            after = api.statuses(email)
            changed = {
                sid: (status_of(before, sid).value, status_of(after, sid).value)
                for sid in subscription_ids
                if status_of(before, sid) != status_of(after, sid) and sid != subscription_id
            }
            expect(
                operation,
                "wf_write_read_back",
                status_of(after, subscription_id) == state and not changed,
                f"after {operation} {email!r} #{subscription_id} := {state.value}: reads "
                f"{status_of(after, subscription_id).value}, other subscriptions changed: "
                f"{changed}",
            )

        def check_resubscribe(self, email: str, state: SubscriptionStatus, was_wide: bool) -> None:
            if not was_wide or state == UNSUBSCRIBED:
                return
            wide = [w for w in api.wide(email) if w.status == UNSUBSCRIBED]
            expect(
                "update_status",
                "wf_resubscribe",
                not wide,
                f"{email!r} still has a wide opt-out after a {state.value} write "
                f"(the mock documents that such a write ends it): {[w.to_dict() for w in wide]}",
            )

        @rule(
            contact=contacts,
            index=st.integers(min_value=0),
            state=st.sampled_from([SUBSCRIBED, UNSUBSCRIBED, NOT_SPECIFIED]),
        )
        def update_status(self, contact: str, index: int, state: SubscriptionStatus) -> None:
            subscription_id = subscription_ids[index % len(subscription_ids)]
            before = api.statuses(contact)
            was_wide = any(w.status == UNSUBSCRIBED for w in api.wide(contact))
            reported = api.update(contact, subscription_id, state)
            self.check_write("update_status", contact, subscription_id, state, before, reported)
            self.check_resubscribe(contact, state, was_wide)

        @rule(
            contact=contacts,
            index=st.integers(min_value=0),
            state=st.sampled_from([SUBSCRIBED, UNSUBSCRIBED, NOT_SPECIFIED]),
        )
        def batch_update_status(self, contact: str, index: int, state: SubscriptionStatus) -> None:
            subscription_id = subscription_ids[index % len(subscription_ids)]
            before = api.statuses(contact)
            answer = api.batch_update([(contact, subscription_id, state)])
            expect(
                "batch_update_statuses",
                "wf_write_read_back",
                len(answer.results) == 1 and not answer.errors,
                f"batch_update_statuses of one change answered {len(answer.results)} results, "
                f"errors {answer.errors}",
            )
            self.check_write(
                "batch_update_statuses",
                contact,
                subscription_id,
                state,
                before,
                answer.results[0],
            )

        @rule(
            contact=contacts,
            index=st.integers(min_value=0),
            state=st.sampled_from([SUBSCRIBED, NOT_SPECIFIED]),
        )
        def resubscribe_after_opt_out(
            self, contact: str, index: int, state: SubscriptionStatus
        ) -> None:
            """Opt out of all, then set one subscription back: the documented resubscribe."""
            subscription_id = subscription_ids[index % len(subscription_ids)]
            api.unsubscribe_all(contact)
            before = api.statuses(contact)
            reported = api.update(contact, subscription_id, state)
            self.check_write("update_status", contact, subscription_id, state, before, reported)
            self.check_resubscribe(contact, state, was_wide=True)

        @rule(contact=contacts, shout=st.booleans(), index=st.integers(min_value=0))
        def other_case(self, contact: str, shout: bool, index: int) -> None:
            """A write through one spelling of the address shows through another."""
            variant = contact.upper() if shout else contact.capitalize()
            subscription_id = subscription_ids[index % len(subscription_ids)]
            api.update(variant, subscription_id, UNSUBSCRIBED)
            same = api.statuses(contact)
            other = api.statuses(variant)
            expect(
                "get_statuses",
                "wf_contacts_case_insensitive",
                status_of(same, subscription_id) == UNSUBSCRIBED
                and {sid: s.status for sid, s in same.items()}
                == {sid: s.status for sid, s in other.items()}
                and bool(api.wide(contact)) == bool(api.wide(variant)),
                f"#{subscription_id} set to UNSUBSCRIBED for {variant!r} reads "
                f"{status_of(same, subscription_id).value} for {contact!r}, or the two "
                "spellings read different statuses",
            )

    run_state_machine_as_test(
        seed(suite_settings.seed)(ConsentWorkflows),
        settings=settings(
            max_examples=suite_settings.workflow_examples,
            stateful_step_count=WORKFLOW_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
