from __future__ import annotations

import pytest

from tests.flows.adapters import ADAPTERS


@pytest.fixture(params=sorted(ADAPTERS))
def adapter_name(request) -> str:
    return request.param


@pytest.fixture
async def open_chat(adapter_name, database_url):
    """Start a harness with the test's own settings (`admins`, a fake `clock`, `max_upload_bytes`...):
    `chat = await open_chat(clock=clock)`. At teardown every harness it started is stopped, and the test fails if
    the platform stand-in refused a call (each flow test gets this check, through `chat` or through this)."""
    started = []

    async def start(**settings):
        harness = ADAPTERS[adapter_name](database_url, **settings)
        await harness.start()
        started.append(harness)
        return harness

    yield start
    refusals = [r for harness in started for r in harness.refusals()]  # before stop: a stopped stand-in is gone
    for harness in started:
        await harness.stop()
    assert not refusals, f"the {adapter_name} stand-in refused calls: {refusals}"


@pytest.fixture
async def chat(open_chat):
    """A started harness with the default settings."""
    return await open_chat()
