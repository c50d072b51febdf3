"""Running the app under a real HTTP server (granian by default, uvicorn for true drops).

granian imports the app in its worker process, so the configuration travels there as JSON
in an environment variable. One worker only: the state lives in that process's memory.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import orjson

from mock_server.app import MockApp, create_app
from mock_server.config import Faults, MockConfig, RateLimit

CONFIG_ENV = "COMMPREFS_MOCK_CONFIG"
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
GRANIAN_TARGET = "mock_server.serve:app_from_env"


def config_to_json(config: MockConfig) -> str:
    data: dict[str, Any] = dataclasses.asdict(config)
    if config.tokens is not None:
        data["tokens"] = {token: sorted(scopes) for token, scopes in config.tokens.items()}
    data["fixtures"] = str(config.fixtures) if config.fixtures else None
    data["spec"] = str(config.spec) if config.spec else None
    return orjson.dumps(data).decode()


def config_from_json(text: str) -> MockConfig:
    data = orjson.loads(text)
    if data["tokens"] is not None:
        data["tokens"] = {token: frozenset(scopes) for token, scopes in data["tokens"].items()}
    data["fixtures"] = Path(data["fixtures"]) if data["fixtures"] else None
    data["spec"] = Path(data["spec"]) if data["spec"] else None
    if data["rate_limit"] is not None:
        data["rate_limit"] = RateLimit(**data["rate_limit"])
    if data["faults"] is not None:
        data["faults"] = Faults(**{**data["faults"], "kinds": tuple(data["faults"]["kinds"])})
    return MockConfig(**data)


def app_from_env() -> MockApp:
    """granian's factory target: the app for the configuration the CLI put in the env."""
    text = os.environ.get(CONFIG_ENV)
    return create_app(config_from_json(text) if text else None)


def _absolute(config: MockConfig) -> MockConfig:
    """The configuration with its file paths made absolute (the working directory changes)."""
    fixtures = config.fixtures.resolve() if config.fixtures is not None else None
    spec = config.spec.resolve() if config.spec is not None else None
    access_log = config.access_log
    if access_log is not None and access_log != "-":
        access_log = str(Path(access_log).resolve())
    return dataclasses.replace(config, fixtures=fixtures, spec=spec, access_log=access_log)


def serve_granian(config: MockConfig, host: str, port: int) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    # granian resolves its target against the working directory, and prefixes it with that
    # directory's package when the directory holds an __init__.py; serve from the folder
    # holding mock_server so that the target always imports.
    config = _absolute(config)
    os.chdir(PACKAGE_PARENT)
    os.environ[CONFIG_ENV] = config_to_json(config)
    Granian(
        GRANIAN_TARGET,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        factory=True,
        http=HTTPModes.http1,
        websockets=False,
        backlog=2048,
    ).serve()


def serve_uvicorn(config: MockConfig, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        workers=1,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )
