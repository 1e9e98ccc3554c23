from __future__ import annotations

import pytest

from tests.flows.adapters import ADAPTERS


@pytest.fixture(params=sorted(ADAPTERS))
def adapter_name(request) -> str:
    return request.param


@pytest.fixture
async def chat(adapter_name, database_url):
    harness = ADAPTERS[adapter_name](database_url)
    await harness.start()
    yield harness
    refusals = harness.refusals()
    await harness.stop()
    assert not refusals, f"the {adapter_name} stand-in refused calls: {refusals}"


@pytest.fixture
def make_chat(adapter_name, database_url):
    """For tests that need their own settings (admins, a fake clock)."""
    made = []

    async def factory(**kwargs):
        harness = ADAPTERS[adapter_name](database_url, **kwargs)
        await harness.start()
        made.append(harness)
        return harness

    yield factory
    # stopped by the test's own finalizer below


@pytest.fixture(autouse=True)
async def _stop_made(make_chat):
    yield
