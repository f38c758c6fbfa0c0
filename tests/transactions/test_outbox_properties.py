"""Random crash schedules (several points at once, repeated crashes, duplicates, batch sizes,
interleavings) drawn by Hypothesis: the outbox never loses or invents an event and never applies one
twice; each dual write shows only its own failure; the real engines agree with the simulation."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from distlab.services import redis as dredis, sql
from distlab.transactions.outbox import (
    COMMIT_THEN_PUBLISH,
    CRASH_POINTS,
    OUTBOX,
    PUBLISH_THEN_COMMIT,
    VARIANTS,
    OutboxConfig,
    RedisStreamsBroker,
    SQLDatabase,
    memory_engine,
    run_scenario,
)

schedules = st.lists(st.tuples(st.sampled_from(CRASH_POINTS), st.integers(1, 2)), max_size=4)


def configs(variants=VARIANTS):
    return st.builds(OutboxConfig, variant=st.sampled_from(variants), crash_point=st.none(),
                     duplicates=st.integers(0, 2), relay_restart=st.sampled_from(("immediate", "late")),
                     orders=st.integers(1, 8), batch_size=st.integers(1, 5), seed=st.integers(0, 1000),
                     extra_crashes=schedules.map(tuple))


@settings(max_examples=300)
@given(configs([OUTBOX]))
def test_the_outbox_survives_any_crash_schedule(config):
    result = run_scenario(config, *memory_engine(config))
    assert result.safe, (config, result)
    assert result.unsent_left == 0 and result.pending_left == 0


@settings(max_examples=200)
@given(configs([COMMIT_THEN_PUBLISH, PUBLISH_THEN_COMMIT]))
def test_each_dual_write_fails_only_its_own_way(config):
    result = run_scenario(config, *memory_engine(config))
    if config.variant == COMMIT_THEN_PUBLISH:
        assert result.phantom == 0  # it only ever publishes committed orders...
        assert result.lost <= config.schedule().get("producer/after_commit", 0)  # ...and loses one per crash there
    else:
        assert result.lost == 0  # it publishes before committing: nothing committed goes unannounced
        ghosts = config.schedule()
        assert result.phantom <= ghosts.get("producer/after_publish", 0) + ghosts.get("producer/commit_fails", 0)
    assert result.duplicate_effects == 0


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory):
    backend = sql.connect(f"sqlite:///{tmp_path_factory.mktemp('outbox') / 'props.db'}")
    client = dredis.connect(f"unix://{dredis.embedded_socket()}")
    counter = itertools.count()

    def make(config):
        return SQLDatabase(backend, reset=True), RedisStreamsBroker(client, f"outbox.prop.{next(counter)}", reset=True)
    yield make
    backend.close()
    client.close()


@settings(max_examples=60)
@given(config=configs())
def test_real_engines_agree_with_the_simulation(real_engine, config):
    assert run_scenario(config, *real_engine(config)) == run_scenario(config, *memory_engine(config))
