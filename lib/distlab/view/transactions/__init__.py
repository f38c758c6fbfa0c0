"""Chapter 3's panels (distributed transactions), one module per section of the notebook.

* `twopc` -- the 2PC timeline (in doubt, blocked), the slow participant, the Raft-replicated fix.
* `prepared` -- 2PC on two real PostgreSQL servers, as a transcript from the servers themselves.
* `saga` -- a trip booking saga: steps, failures, retries, compensations, a crash, a reader.
* `outbox` -- every crash point against the two dual writes and the outbox: lost, phantom, double.
* `idempotency` -- one charge, a crash, retries: how many charges without a key, with Redis, with SQL.
* `quiz` -- the chapter's five questions.
"""

from .idempotency import charge_panel, charge_run, render_charges
from .outbox import outbox_panel, outbox_run, real_outbox_table, render_outbox
from .prepared import real_twopc_story
from .quiz import quiz
from .saga import render_saga, saga_panel, saga_run
from .twopc import (
    CRASHES,
    fix_panel,
    render_fix,
    render_slow,
    render_twopc,
    slow_panel,
    twopc_panel,
    twopc_run,
)

__all__ = [
    "CRASHES", "charge_panel", "charge_run", "fix_panel", "outbox_panel", "outbox_run", "quiz", "real_outbox_table",
    "real_twopc_story", "render_charges", "render_fix", "render_outbox", "render_saga", "render_slow", "render_twopc",
    "saga_panel", "saga_run", "slow_panel", "twopc_panel", "twopc_run",
]
