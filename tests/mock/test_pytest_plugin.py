"""The pytest plugin (mock_server/pytest_plugin.py) as a user meets it.

Most tests run a user's test file in a pytest of its own (pytester), exactly as the user
would write it: user code that takes a client, tests that use the ``commprefs_*`` fixtures
and the ``commprefs_mock`` marker. The plugin is loaded with ``-p mock_server.pytest_plugin``
until the ``pytest11`` entry point ``commprefs_mock`` is installed, and through the entry point
once it is (``test_the_entry_point_line_loads_the_plugin`` checks that line either way). The
transport and the served mock are also tested directly.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import ConnectionDropped, MockConfig
from mock_server.testing import CommPrefsMock, InProcessTransport, mock_config, serve_in_thread

pytest_plugins = ["pytester"]

ENTRY_POINT = "commprefs_mock = mock_server.pytest_plugin"
API = "/communication-preferences/2026-03"


def _entry_point_installed() -> bool:
    return any(
        ep.name == "commprefs_mock" for ep in importlib.metadata.entry_points(group="pytest11")
    )


def plugin_args() -> list[str]:
    """How a user's run gets the plugin here: by its entry point's name once installed (also
    under PYTEST_DISABLE_PLUGIN_AUTOLOAD), else by module. Never the module name when the entry
    point is installed: pluggy refuses one module registered under two names."""
    if _entry_point_installed():
        return ["-p", "commprefs_mock"]
    return ["-p", "mock_server.pytest_plugin"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # A user's own pytest settings (pytest-asyncio warns when its loop scope is unset).
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester.runpytest("-p", "no:cacheprovider", *plugin_args(), *args)


README = Path(__file__).resolve().parents[2] / "mock_server" / "README.md"


def readme_example() -> dict[str, str]:
    """The Python files mock_server/README.md shows in "In your own tests", by the path named in
    each one's first line (``# myapp/optout.py``)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## In your own tests", 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in re.findall(r"```python\n(.*?)```", section, re.DOTALL):
        first, _, _ = block.partition("\n")
        files[first.removeprefix("# ").strip()] = block
    return files


def test_the_readme_example_runs_as_a_user_would_run_it(pytester: pytest.Pytester) -> None:
    files = readme_example()
    assert sorted(files) == ["myapp/optout.py", "tests/test_optout.py"]
    for name, code in files.items():
        path = pytester.path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(code, encoding="utf-8")
    (pytester.path / "myapp" / "__init__.py").write_text("")
    pytester.syspathinsert()  # the user's project root, where myapp lives
    result = run(pytester, "tests")
    result.assert_outcomes(passed=5)


USER_CODE = readme_example()["myapp/optout.py"]


def test_a_bug_in_user_code_fails_the_users_test(pytester: pytest.Pytester) -> None:
    """The mock keeps state: code that reads the wrong business unit is caught."""
    pytester.makepyfile(
        optout=USER_CODE,
        test_bug="""
        import asyncio
        from optout import may_email

        def test_reads_the_unit_it_wrote(commprefs_client, commprefs_mock):
            commprefs_mock.set_status("bob@example.com", 200001, "SUBSCRIBED")  # unit 1
            assert asyncio.run(may_email(commprefs_client, "bob@example.com", 200001))
        """,
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)


def test_each_test_gets_fresh_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("round", [1, 2])
        def test_state_starts_empty(commprefs_mock, round):
            assert commprefs_mock.state()["subscribers"] == {}
            commprefs_mock.opt_out_of_all("ann@example.com")
            assert commprefs_mock.opted_out_of_all("ann@example.com")
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_markers_merge_closest_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.commprefs_mock(rate_limit="5/10", seed=3)

        def test_module_marker(commprefs_mock_config):
            assert commprefs_mock_config.rate_limit.max_requests == 5
            assert commprefs_mock_config.seed == 3

        @pytest.mark.commprefs_mock(rate_limit="1/60")
        def test_own_marker_wins(commprefs_mock_config):
            assert commprefs_mock_config.rate_limit.max_requests == 1
            assert commprefs_mock_config.rate_limit.interval_seconds == 60
            assert commprefs_mock_config.seed == 3
        """
    )
    run(pytester, "--strict-markers").assert_outcomes(passed=2)


def test_tokens_and_fixtures_from_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from hubspot_communication_preferences import MissingScopesError
        from hubspot_communication_preferences.api.batch import batch_unsubscribe_all
        from hubspot_communication_preferences.api.definitions import get_definitions
        from hubspot_communication_preferences.models import BatchInputString, Channel

        ONE = {"businessUnits": [{"id": 0, "definitions": [{
            "id": "300001", "name": "Newsletter", "description": "Weekly",
            "isActive": True, "isDefault": True, "isInternal": False,
            "createdAt": "2024-01-10T09:00:00.000Z", "updatedAt": "2024-01-10T09:00:00.000Z",
            "purpose": "Marketing", "communicationMethod": "Email"}]}]}

        @pytest.mark.commprefs_mock(
            tokens={"reader": ["communication_preferences.read"]}, fixtures=ONE
        )
        def test_read_only_token(commprefs_client, commprefs_mock):
            answer = get_definitions.sync(client=commprefs_client)
            assert [d.id for d in answer.results] == ["300001"]
            assert [d["name"] for d in commprefs_mock.definitions()] == ["Newsletter"]
            with pytest.raises(MissingScopesError):
                batch_unsubscribe_all.sync(
                    client=commprefs_client, channel=Channel.EMAIL,
                    body=BatchInputString(inputs=["ann@example.com"]),
                )
            assert commprefs_mock.state()["subscribers"] == {}
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_a_bad_marker_option_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.commprefs_mock(rate_limit="5")
        def test_bad_rate(commprefs_mock):
            pass

        @pytest.mark.commprefs_mock(fault_rate=0.5)
        def test_unknown_option(commprefs_mock):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*rate_limit='5'*expected 'N/SECONDS'*",
            "*unknown option(s) fault_rate; known:*rate_limit*",
        ]
    )


def test_nothing_listens_unless_asked_then_the_served_mock_shares_state(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import threading
        import httpx
        from hubspot_communication_preferences.api.status import get_unsubscribe_all_status
        from hubspot_communication_preferences.models import Channel

        def test_in_process_only(commprefs_client, commprefs_mock):
            assert not [t for t in threading.enumerate() if t.name == "commprefs-mock-server"]

        def test_served(commprefs_mock_server, commprefs_mock):
            commprefs_mock.opt_out_of_all("ann@example.com")
            assert commprefs_mock_server.url.startswith("http://127.0.0.1:")
            with commprefs_mock_server.make_client() as client:
                answer = get_unsubscribe_all_status.sync(
                    "ann@example.com", client=client, channel=Channel.EMAIL
                )
            assert [s.wide_status_type.value for s in answer.results] == ["PORTAL_WIDE"]
            state = httpx.get(commprefs_mock_server.url + "/_mock/state").json()
            assert "ann@example.com" in state["subscribers"]
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_the_entry_point_line_loads_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pyproject line ``[project.entry-points.pytest11] commprefs_mock = ...`` as an
    installed distribution would carry it: the user's run names no plugin at all."""
    site = pytester.mkdir("site")
    dist = site / "commprefs_plugin_probe-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: commprefs-plugin-probe\n")
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{ENTRY_POINT}\n")
    pytester.makepyfile(
        """
        def test_fixture_is_there(request, commprefs_mock):
            assert request.config.pluginmanager.has_plugin("commprefs_mock")
            assert commprefs_mock.state()["subscribers"] == {}
        """
    )
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(repo)]))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# -- the pieces, directly ----------------------------------------------------------------------
@pytest.fixture
def mock() -> Iterator[CommPrefsMock]:
    made = CommPrefsMock(MockConfig())
    yield made
    made.close()


def test_sync_and_async_requests_reach_one_app(mock: CommPrefsMock) -> None:
    base = "http://mock" + API
    auth = {"Authorization": "Bearer test-token"}

    def body() -> Iterator[bytes]:  # a streamed sync body: read before it crosses the thread
        yield b'{"inputs": ["ann@example.com"]}'

    with httpx.Client(transport=mock.transport, base_url=base, headers=auth) as client:
        written = client.post(
            "/statuses/batch/unsubscribe-all",
            params={"channel": "EMAIL"},
            content=body(),
            headers={"content-type": "application/json"},
        )
    assert written.status_code == 200, written.text

    async def read() -> httpx.Response:
        async with httpx.AsyncClient(transport=mock.transport, base_url=base, headers=auth) as c:
            # the raw path keeps %40: the mock routes on the percent-encoded path
            return await c.get("/statuses/ann%40example.com/unsubscribe-all?channel=EMAIL")

    answer = asyncio.run(read())
    assert answer.status_code == 200, answer.text
    assert [s["wideStatusType"] for s in answer.json()["results"]] == ["PORTAL_WIDE"]


def test_a_dropped_connection_reaches_a_sync_caller_as_a_transport_error() -> None:
    from mock_server import Faults

    transport = InProcessTransport(
        CommPrefsMock(MockConfig(faults=Faults(rate=1.0, kinds=("drop",)))).app
    )
    try:
        with (
            httpx.Client(transport=transport) as client,
            pytest.raises(ConnectionDropped),
        ):
            client.get(f"http://mock{API}/definitions", headers={"Authorization": "Bearer x"})
    finally:
        transport.close()


def test_closing_the_transport_stops_its_thread(mock: CommPrefsMock) -> None:
    import threading

    before = set(threading.enumerate())
    mock.state()  # a sync request starts the helper thread
    started = set(threading.enumerate()) - before
    assert started
    mock.transport.close()
    for thread in started:
        thread.join(10)
    assert not any(t.is_alive() for t in started)


def test_served_mock_stops_listening_on_exit(mock: CommPrefsMock) -> None:
    mock.set_status("ann@example.com", 100001, "UNSUBSCRIBED")
    with serve_in_thread(mock.app) as (url, port):
        state = httpx.get(url + "/_mock/state").json()
        assert state["subscribers"]["ann@example.com"]["statuses"]["100001"]["status"] == (
            "UNSUBSCRIBED"
        )
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()


def test_mock_config_options(tmp_path: Path) -> None:
    config = mock_config(
        {
            "rate_limit": " 100 / 10 ",
            "faults": {"rate": 0.5, "kinds": "503,drop"},
            "tokens": {"a": "communication_preferences.read", "b": None},
            "fixtures": {"businessUnits": []},
        },
        tmp_path,
    )
    assert config.rate_limit is not None
    assert (config.rate_limit.max_requests, config.rate_limit.interval_seconds) == (100, 10.0)
    assert config.faults is not None and config.faults.kinds == ("503", "drop")
    assert config.tokens is not None
    assert config.tokens["a"] == frozenset({"communication_preferences.read"})
    assert "communication_preferences.statuses.batch.write" in config.tokens["b"]
    assert config.fixtures is not None and config.fixtures.read_text() == '{"businessUnits": []}'


def test_set_status_refuses_an_unknown_subscription(mock: CommPrefsMock) -> None:
    with pytest.raises(KeyError, match="999"):
        mock.set_status("ann@example.com", 999, "SUBSCRIBED")
    with pytest.raises(KeyError, match="business unit 9"):
        mock.opt_out_of_all("ann@example.com", business_unit_id=9)
