"""Crash enumeration for dual write vs the outbox: every crash point x crashes x relay restart x
duplicate delivery, on the simulation and on the real engines (SQLite / PostgreSQL x embedded Redis
6.2 / Debian Redis 7.0), and the notebook matrix equal to what the real engines give."""
from __future__ import annotations

import itertools
import time

import pytest

from distlab.transactions.outbox import (
    COMMIT_THEN_PUBLISH,
    CRASH_POINTS,
    OUTBOX,
    PUBLISH_THEN_COMMIT,
    VARIANTS,
    MatrixConfig,
    OutboxConfig,
    RedisStreamsBroker,
    Relay,
    SQLDatabase,
    crash_point_matrix,
    crash_schedules,
    memory_engine,
    run_enumeration,
    run_scenario,
    tally,
)
from distlab.transactions.outbox.crash_points import applies

_counter = itertools.count()


def real_engine(backend, client):
    """A fresh schema and a fresh stream per run, on the fixtures' engines."""
    def make(config: OutboxConfig):
        return SQLDatabase(backend, reset=True), RedisStreamsBroker(client, f"outbox.test.{next(_counter)}", reset=True)
    return make


def test_there_are_at_least_ten_crash_points_and_every_one_fires():
    runs = run_enumeration(crash_schedules(), memory_engine)
    assert len(CRASH_POINTS) >= 10
    for variant in VARIANTS:
        assert tally(runs, variant).never_fired == (), variant
    assert {c.crash_point for c, _ in runs} == set(CRASH_POINTS)


def test_outbox_loses_nothing_invents_nothing_and_absorbs_duplicates_in_simulation():
    runs = run_enumeration(crash_schedules(), memory_engine)
    outbox = tally(runs, OUTBOX)
    assert (outbox.lost, outbox.phantom, outbox.duplicate_effects) == (0, 0, 0)
    assert outbox.duplicate_deliveries > 0  # there were duplicates to absorb
    for config, result in runs:
        if config.variant == OUTBOX:
            assert result.unsent_left == 0 and result.pending_left == 0, config


def test_dual_writes_show_the_predicted_losses_and_phantoms():
    runs = run_enumeration(crash_schedules(), memory_engine)
    for config, result in runs:
        lossy = config.variant == COMMIT_THEN_PUBLISH and config.crash_point == "producer/after_commit"
        ghostly = config.variant == PUBLISH_THEN_COMMIT and config.crash_point in (
            "producer/after_publish", "producer/commit_fails")
        assert (result.lost > 0) == lossy, config
        assert (result.phantom > 0) == ghostly, config
        if lossy:
            assert result.lost == config.crashes  # one lost event per crash
        if ghostly:
            assert result.phantom == config.crashes


def test_without_the_inbox_duplicates_become_duplicate_effects():
    runs = run_enumeration(crash_schedules([OUTBOX], inbox=False), memory_engine)
    assert tally(runs, OUTBOX).duplicate_effects > 0
    assert tally(runs, OUTBOX).lost == 0


def test_the_matrix_is_fast_and_says_which_engine_computed_it():
    config = MatrixConfig(orders=6, crashes=2, duplicates=1)
    crash_point_matrix(config)
    started = time.perf_counter()
    result = crash_point_matrix(config)
    assert time.perf_counter() - started < 0.1
    assert "in-memory simulation" in result.engine
    assert result.rows == CRASH_POINTS and result.columns == VARIANTS
    assert result.totals(OUTBOX).lost == 0 and result.totals(OUTBOX).phantom == 0
    assert result.totals(COMMIT_THEN_PUBLISH).lost == 2 and result.totals(PUBLISH_THEN_COMMIT).phantom == 4
    for point, variant in itertools.product(CRASH_POINTS, VARIANTS):
        assert (result.cell(point, variant) is None) == (not applies(point, variant))


@pytest.mark.parametrize("bad", [dict(orders=0), dict(crashes=9), dict(duplicates=-1), dict(batch_size=101),
                                 dict(relay_restart="never"), dict(inbox="yes"), dict(seed=-1)])
def test_bad_matrix_config_names_the_field(bad):
    field = next(iter(bad))
    with pytest.raises(ValueError, match=field):
        MatrixConfig(**bad)


@pytest.mark.parametrize("bad", [dict(variant="two_phase"), dict(crash_point="relay/nowhere"),
                                 dict(extra_crashes=(("consumer/after_ack", 9),))])
def test_bad_scenario_config_names_the_field(bad):
    with pytest.raises(ValueError, match=next(iter(bad)).split("_")[0]):
        OutboxConfig(**bad)


def test_real_engines_give_the_simulated_counts_for_every_schedule(sql_backend, redis_client):
    # every crash point x relay restart, crashing twice with every XADD doubled (the simulation runs
    # the full grid above; crashes=1 without duplicates is the panel-matrix test below)
    configs = crash_schedules(crashes=(2,), duplicates=(1,))
    real = run_enumeration(configs, real_engine(sql_backend, redis_client))
    simulated = dict(run_enumeration(configs, memory_engine))
    for config, result in real:
        assert result == simulated[config], config
    outbox = tally(real, OUTBOX)
    assert (outbox.lost, outbox.phantom, outbox.duplicate_effects) == (0, 0, 0)
    assert tally(real, COMMIT_THEN_PUBLISH).lost > 0 and tally(real, PUBLISH_THEN_COMMIT).phantom > 0


def test_real_engines_reproduce_the_panel_matrix(sql_backend, redis_client):
    config = MatrixConfig(orders=4, crashes=1, duplicates=0, inbox=False)
    shown = crash_point_matrix(config)
    make = real_engine(sql_backend, redis_client)
    for point, variant in itertools.product(CRASH_POINTS, VARIANTS):
        if applies(point, variant):
            scenario = config.scenario(point, variant)
            r = run_scenario(scenario, *make(scenario))
            cell = shown.cell(point, variant)
            assert cell is not None
            assert (r.lost, r.phantom, r.duplicate_deliveries, r.duplicate_effects) == (
                cell.lost, cell.phantom, cell.duplicate_deliveries, cell.duplicate_effects), (point, variant)


# -- mutants: a checker that cannot fail is a defect ------------------------------------------------
class MarkFirstRelay(Relay):
    """Marks the batch sent before publishing it: a crash in between loses the batch."""

    def run_once(self) -> int:
        batch = self.db.unsent(self.batch_size)
        if not batch:
            return 0
        with self.db.transaction() as tx:
            tx.mark_sent([seq for seq, _ in batch])
        self.hooks.reach("relay/after_claim")
        self._publish([event for _, event in batch])
        return len(batch)


def ack_first_handle(self, delivery):
    """Acknowledges before its transaction commits: a crash in between loses the event."""
    self.broker.ack([delivery.stream_id])
    with self.db.transaction() as tx:
        if tx.record_processed(delivery.event.id, self.name):
            tx.insert_shipment(delivery.event)
        self.hooks.reach("consumer/before_commit")
    return True


def test_the_enumeration_catches_a_relay_that_marks_before_publishing(monkeypatch):
    monkeypatch.setattr("distlab.transactions.outbox.scenario.Relay", MarkFirstRelay)
    runs = run_enumeration(crash_schedules([OUTBOX]), memory_engine)
    assert tally(runs, OUTBOX).lost > 0


def test_the_enumeration_catches_a_consumer_that_acks_before_committing(monkeypatch):
    monkeypatch.setattr("distlab.transactions.outbox.consumer.Consumer.handle", ack_first_handle)
    runs = run_enumeration(crash_schedules([OUTBOX]), memory_engine)
    assert tally(runs, OUTBOX).lost > 0


@pytest.mark.parametrize("module", ["enumeration", "matrix"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"distlab.transactions.outbox.{module}"))
    assert result.failed == 0 and result.attempted > 0
