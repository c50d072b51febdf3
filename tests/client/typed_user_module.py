"""A user's module: every operation called and its result used without narrowing.

``test_typed_success.py`` runs ``mypy --strict`` on this file (no ``isinstance`` is needed: the
plain calls are typed as their success models) and then runs it against the mock.
"""

from __future__ import annotations

from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import (
    batch_get_statuses,
    batch_get_unsubscribe_all_statuses,
    batch_unsubscribe_all,
    batch_update_statuses,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import (
    generate_links,
    get_statuses,
    get_unsubscribe_all_status,
    unsubscribe_all,
    update_status,
)
from hubspot_communication_preferences.models import (
    BatchInputPublicStatusRequest,
    BatchInputString,
    Channel,
    LinkGenerationRequest,
    PartialPublicStatusRequest,
    PublicStatusRequest,
    SubscriptionStatus,
)

EMAIL = Channel.EMAIL


def exercise(client: AuthenticatedClient, contact: str) -> list[str]:
    """Call all 10 operations for ``contact``; one line per operation."""
    definitions = get_definitions.sync(client=client)
    subscription_id = int(definitions.results[0].id)
    lines = [f"get_definitions: {[d.name for d in definitions.results]}"]

    updated = update_status.sync(
        contact,
        client=client,
        body=PartialPublicStatusRequest(
            channel=EMAIL,
            status_state=SubscriptionStatus.SUBSCRIBED,
            subscription_id=subscription_id,
        ),
    )
    lines.append(f"update_status: {[s.status.value for s in updated.results]}")

    statuses = get_statuses.sync(contact, client=client, channel=EMAIL)
    lines.append(f"get_statuses: {[s.subscription_id for s in statuses.results]}")

    written = batch_update_statuses.sync(
        client=client,
        body=BatchInputPublicStatusRequest(
            inputs=[
                PublicStatusRequest(
                    channel=EMAIL,
                    status_state=SubscriptionStatus.SUBSCRIBED,
                    subscriber_id_string=contact,
                    subscription_id=subscription_id,
                )
            ]
        ),
    )
    lines.append(f"batch_update_statuses: {written.status.value} {len(written.results)}")

    batch = BatchInputString(inputs=[contact])
    read = batch_get_statuses.sync(client=client, body=batch, channel=EMAIL)
    lines.append(f"batch_get_statuses: {[r.subscriber_id_string for r in read.results]}")

    links = generate_links.sync(
        client=client, body=LinkGenerationRequest(subscriber_id_string=contact), channel=EMAIL
    )
    lines.append(f"generate_links: {links.manage_preferences_url.startswith('http')}")

    opted_out = unsubscribe_all.sync(contact, client=client, channel=EMAIL, verbose=True)
    lines.append(f"unsubscribe_all: {[s.status.value for s in opted_out.results]}")

    bulk = batch_unsubscribe_all.sync(client=client, body=batch, channel=EMAIL, verbose=True)
    lines.append(f"batch_unsubscribe_all: {[r.subscriber_id_string for r in bulk.results]}")

    wide = get_unsubscribe_all_status.sync(contact, client=client, channel=EMAIL)
    lines.append(f"get_unsubscribe_all_status: {[w.status.value for w in wide.results]}")

    wides = batch_get_unsubscribe_all_statuses.sync(client=client, body=batch, channel=EMAIL)
    lines.append(f"batch_get_unsubscribe_all_statuses: {len(wides.results)}")
    return lines
