"""Shared fixtures: every storage-touching test runs on SQLite and PostgreSQL (see tests/backends.py)."""
from __future__ import annotations

import pytest

from tests.backends import drop_schema, new_database_url, postgres_available

BACKENDS = ["sqlite", "postgres"]


def pytest_configure(config):
    # Media the tests store go to a folder of this run, never beside the checkout (storage/blobs).
    import os
    import tempfile

    os.environ.setdefault("PANELIST_MEDIA_URL", tempfile.mkdtemp(prefix="panelist-test-media-"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
async def database_url(backend, tmp_path):
    url, schema = new_database_url(backend, tmp_path)
    yield url
    if schema:
        await drop_schema(schema)


@pytest.fixture
async def db(database_url):
    from storage.db import open_database
    from storage.migrate import upgrade

    database = open_database(database_url)
    await database.connect()
    await upgrade(database)
    yield database
    await database.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not postgres_available():
        terminalreporter.write_line(
            "NOTE: the PostgreSQL half of the suite was SKIPPED (no PostgreSQL at PANELIST_TEST_POSTGRES_URL, "
            "default postgresql://postgres@127.0.0.1:5432/postgres). Start PostgreSQL and run the same command "
            "to run it.", yellow=True)


@pytest.fixture
async def database_url_factory(backend, tmp_path):
    """Fresh databases on demand (property tests need one per example)."""
    import uuid

    made: list[str] = []

    async def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / ('p' + uuid.uuid4().hex[:8] + '.db')}"
        url, schema = new_database_url(backend, tmp_path)
        made.append(schema)
        return url

    yield make
    for schema in made:
        await drop_schema(schema)


@pytest.fixture
async def recorded_runtime(database_url):
    """A started runtime on a fresh database with a console-like adapter that records what it is asked to send
    (`runtime.recorder`): the runtime tests' bot without a platform."""
    from app.settings import Settings
    from app.wiring import build_runtime
    from tests.recording import RecordingAdapter

    rt = build_runtime(Settings(database_url=database_url))
    await rt.start()
    rt.recorder = RecordingAdapter()
    rt.register(rt.recorder)
    yield rt
    await rt.stop()


async def checked(harness, platform: str):
    """Start `harness`, hand it to the test, then fail the test if the stand-in refused a call it did not ask for."""
    await harness.start()
    yield harness
    refusals = harness.refusals()
    await harness.stop()
    assert not refusals, f"the {platform} stand-in refused calls: {refusals}"


@pytest.fixture
async def telegram_chat(database_url):
    """A started Telegram harness: the real adapter against the Bot API stand-in."""
    from tests.flows.telegram import TelegramHarness

    async for harness in checked(TelegramHarness(database_url), "Telegram"):
        yield harness


@pytest.fixture
async def slack_chat(database_url):
    """A started Slack harness: the real Bolt app against the Web API stand-in."""
    from tests.flows.slack import SlackHarness

    async for harness in checked(SlackHarness(database_url), "Slack"):
        yield harness
