"""The CLI and the mock served over real sockets: start/stop, clean errors, dropped
connections, rate limits, reproducible faults, and many concurrent writers."""

from __future__ import annotations

import asyncio
import random
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from mock_testing import AUTH, BASE, EMAIL, UNIT0, SpecChecker, checking_hook

from commprefs_kit.paths import ROOT
from mock_server import cli
from mock_server.process import RunningMock

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def api(served: RunningMock, checker: SpecChecker, **kwargs: Any) -> httpx.AsyncClient:
    """A client of the served mock; every answer is checked against the spec."""
    hooks = {"response": [checking_hook(checker)]}
    kwargs.setdefault("headers", AUTH)
    return httpx.AsyncClient(
        base_url=f"{served.url}{BASE}", event_hooks=hooks, timeout=30, **kwargs
    )


async def test_cli_serves_and_stops(serve: Any, spec_checker: SpecChecker) -> None:
    served = serve("--token", "secret-token-value")
    async with api(
        served, spec_checker, headers={"Authorization": "Bearer secret-token-value"}
    ) as c:
        r = await c.get("/definitions")
        assert r.status_code == 200
        assert len(r.json()["results"]) == 5
        assert (await c.get("/definitions", headers=AUTH)).status_code == 401
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=20) == 0
    out = served.output()
    # The base URL the other verbs take: host and port, no API prefix.
    assert f"serving http://127.0.0.1:{served.port} " in out
    assert f"{served.port}{BASE}" not in out
    assert "secret-token-value" not in out
    assert "Traceback" not in out


def test_busy_port_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert cli.main(["--port", str(port)]) == cli.EXIT_CANNOT_LISTEN
    assert "already in use" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--port", "http"],
        ["--port", "70000"],
        ["--rate-limit", "lots"],
        ["--rate-limit", "0/10"],
        ["--fault-rate", "2"],
        ["--faults", "500,teapot"],
        ["--token", "t=communication_preferences.everything"],
        ["--max-batch-inputs", "0"],
        ["--no-such-option"],
    ],
)
def test_bad_options_are_clean_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = cli.main(args)  # errors found after parsing (e.g. a scope the spec lacks)
    except SystemExit as exit_info:
        code = exit_info.code  # type: ignore[assignment]  # argparse's own usage errors
    assert code == 2
    assert "error: " in capsys.readouterr().err


def test_bad_fixtures_file_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "defs.json"
    bad.write_text('{"businessUnits": 3}')
    assert cli.main(["--fixtures", str(bad)]) == 2
    assert "invalid fixtures" in capsys.readouterr().err


def test_cli_errors_show_no_traceback() -> None:
    result = run_cli("--rate-limit", "lots")
    assert result.returncode == 2
    assert "--rate-limit" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
async def test_dropped_connection_over_a_real_socket(
    serve: Any, server: str, spec_checker: SpecChecker
) -> None:
    served = serve("--server", server, "--fault-rate", "1", "--faults", "drop")
    async with api(served, spec_checker) as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await c.get("/definitions")
    # Under both servers nothing at all comes back: the socket is closed without a status line.
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
        s.sendall(
            f"GET {BASE}/definitions HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer test-token\r\n\r\n".encode()
        )
        assert s.recv(1024) == b""
    assert "Traceback" not in served.output()


async def test_rate_limit_and_reproducible_faults_over_http(
    serve: Any, spec_checker: SpecChecker
) -> None:
    limited = serve("--rate-limit", "2/10")
    async with api(limited, spec_checker) as c:
        codes = [(await c.get("/definitions")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = await c.get("/definitions")
        assert r.headers["x-hubspot-ratelimit-max"] == "2"
        assert int(r.headers["retry-after"]) >= 1
    runs = []
    for _ in range(2):
        faulty = serve("--fault-rate", "0.5", "--faults", "500,503,429", "--seed", "11")
        async with api(faulty, spec_checker) as c:
            runs.append([(await c.get("/definitions")).status_code for _ in range(25)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1


async def test_concurrent_writers_leave_a_consistent_state(
    serve: Any, spec_checker: SpecChecker
) -> None:
    """200 simultaneous batch requests over overlapping contacts, then every contact is
    checked: each subscription was unsubscribed by exactly one request, every wide opt-out
    has all its subscriptions UNSUBSCRIBED, and resubscribed contacts are SUBSCRIBED."""
    served = serve()
    rng = random.Random(5)
    pool = [f"contact{i}@example.com" for i in range(300)]
    opted = pool[:200]
    resubscribed = pool[200:]
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with api(served, spec_checker, limits=limits) as c:

        async def unsubscribe(emails: list[str]) -> httpx.Response:
            return await c.post(
                "/statuses/batch/unsubscribe-all",
                params={**EMAIL, "verbose": "true"},
                json={"inputs": emails},
            )

        async def subscribe(emails: list[str]) -> httpx.Response:
            changes = [
                {
                    "channel": "EMAIL",
                    "statusState": "SUBSCRIBED",
                    "subscriberIdString": e,
                    "subscriptionId": sub,
                    "legalBasis": "CONSENT_WITH_NOTICE",
                }
                for e in emails
                for sub in (100001, 100004)
            ]
            return await c.post("/statuses/batch/write", json={"inputs": changes})

        batches = [rng.sample(opted, 40) for _ in range(160)]
        writes = [rng.sample(resubscribed, 20) for _ in range(40)]
        jobs = [unsubscribe(b) for b in batches] + [subscribe(w) for w in writes]
        rng.shuffle(jobs)
        responses = await asyncio.gather(*jobs)
        assert all(r.status_code == 200 for r in responses)

        # Every input came back once; each (contact, subscription) changed exactly once.
        changed: Counter[tuple[str, int]] = Counter()
        for r in responses:
            if not r.request.url.path.endswith("/unsubscribe-all"):
                continue
            sent = orjson.loads(r.request.content)["inputs"]
            results = r.json()["results"]
            assert [x["subscriberIdString"] for x in results] == sent
            for x in results:
                for s in x["statuses"]:
                    assert s["status"] == "UNSUBSCRIBED"
                    if s["setStatusSuccessReason"] == "UNSUBSCRIBE_FROM_ALL_OCCURRED":
                        changed[(x["subscriberIdString"], s["subscriptionId"])] += 1
        touched = {e for b in batches for e in b}
        assert set(changed.values()) == {1}
        assert set(changed) == {(e, sub) for e in touched for sub in UNIT0}

        dump = (await c.get(f"{served.url}/_mock/state")).json()["subscribers"]
    for email in touched:
        record = dump[email]
        assert set(record["wideStatuses"]) == {"0"}
        assert {s["status"] for s in record["statuses"].values()} == {"UNSUBSCRIBED"}
        assert len(record["statuses"]) == len(UNIT0)
    for email in {e for w in writes for e in w}:
        record = dump[email]
        assert record["wideStatuses"] == {}
        assert {k: s["status"] for k, s in record["statuses"].items()} == {
            "100001": "SUBSCRIBED",
            "100004": "SUBSCRIBED",
        }
    for record in dump.values():
        if record["wideStatuses"]:
            assert {s["status"] for s in record["statuses"].values()} == {"UNSUBSCRIBED"}
