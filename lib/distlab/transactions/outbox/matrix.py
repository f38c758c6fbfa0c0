"""The notebook's crash-point matrix: rows = crash points, columns = the three ways, cells = damage.

:func:`crash_point_matrix` is what the panel calls. It runs every (crash point, variant) pair of
:func:`distlab.transactions.outbox.scenario.run_scenario` on the **in-memory simulation** (the same
producer, relay and consumer code over :class:`.store.MemoryDatabase` and
:class:`.broker.MemoryBroker`), which takes a few milliseconds; the tests run the same enumeration
on SQLite / PostgreSQL and the embedded / Debian Redis and assert the real engines produce this
very matrix.

>>> m = crash_point_matrix(MatrixConfig())
>>> m.cell("producer/after_commit", "commit_then_publish").lost
1
>>> m.cell("producer/after_publish", "publish_then_commit").phantom
1
>>> m.cell("relay/after_publish", "outbox").duplicate_deliveries > 0, m.cell("relay/after_publish", "outbox").lost
(True, 0)
>>> print(m.cell("relay/after_claim", "commit_then_publish"))
None
"""
from __future__ import annotations

from dataclasses import dataclass

from .crash_points import CRASH_POINTS, VARIANT_LABELS, VARIANTS, applies, check_point, check_variant
from .enumeration import memory_engine
from .scenario import RELAY_RESTARTS, OutboxConfig, run_scenario

ENGINE = "in-memory simulation (the real-engine enumeration in the tests gives the same matrix)"


@dataclass(frozen=True)
class MatrixConfig:
    """The panel's controls: ``orders`` placed, ``crashes`` at the chosen point, extra ``duplicates``
    per XADD, the consumer's ``inbox`` on/off, ``relay_restart``, ``batch_size`` and the ``seed``."""

    orders: int = 4
    crashes: int = 1
    duplicates: int = 0
    inbox: bool = True
    relay_restart: str = "immediate"
    batch_size: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        self.scenario(CRASH_POINTS[0], VARIANTS[0])  # validates every field, naming it

    def scenario(self, point: str | None, variant: str) -> OutboxConfig:
        """The run behind one cell."""
        return OutboxConfig(variant=variant, crash_point=point, crashes=self.crashes, duplicates=self.duplicates,
                            relay_restart=self.relay_restart, orders=self.orders, batch_size=self.batch_size,
                            inbox=self.inbox, seed=self.seed)


@dataclass(frozen=True)
class Cell:
    """One cell: lost and phantom events (by order), duplicate deliveries and duplicate effects."""

    lost: int
    phantom: int
    duplicate_deliveries: int
    duplicate_effects: int

    def label(self) -> str:
        """Short text for a table cell, e.g. ``lost 1 · phantom 0 · dup 2/0``."""
        return (f"lost {self.lost} · phantom {self.phantom} · "
                f"dup {self.duplicate_deliveries}/{self.duplicate_effects}")


@dataclass(frozen=True)
class MatrixResult:
    """Rows :data:`CRASH_POINTS`, columns :data:`VARIANTS`; ``cells[row][column]`` is None where the
    variant never reaches the point. ``engine`` says what computed it."""

    config: MatrixConfig
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell | None, ...], ...]
    engine: str = ENGINE

    def cell(self, point: str, variant: str) -> Cell | None:
        """The cell of ``point`` x ``variant``."""
        check_point(point)
        check_variant(variant)
        return self.cells[self.rows.index(point)][self.columns.index(variant)]

    def totals(self, variant: str) -> Cell:
        """Sums down one column."""
        column = [c for c in (row[self.columns.index(check_variant(variant))] for row in self.cells) if c]
        return Cell(*(sum(getattr(c, f) for c in column) for f in
                      ("lost", "phantom", "duplicate_deliveries", "duplicate_effects")))

    def column_labels(self) -> tuple[str, ...]:
        """The lecture's names of the columns."""
        return tuple(VARIANT_LABELS[v] for v in self.columns)


def crash_point_matrix(config: MatrixConfig | None = None) -> MatrixResult:
    """Every crash point x variant on the in-memory simulation (a few ms; see :data:`ENGINE`)."""
    config = MatrixConfig() if config is None else config
    rows = []
    for point in CRASH_POINTS:
        row: list[Cell | None] = []
        for variant in VARIANTS:
            if not applies(point, variant):
                row.append(None)
                continue
            cfg = config.scenario(point, variant)
            r = run_scenario(cfg, *memory_engine(cfg))
            row.append(Cell(r.lost, r.phantom, r.duplicate_deliveries, r.duplicate_effects))
        rows.append(tuple(row))
    return MatrixResult(config, CRASH_POINTS, VARIANTS, tuple(rows))


__all__ = ["ENGINE", "RELAY_RESTARTS", "Cell", "MatrixConfig", "MatrixResult", "crash_point_matrix"]
