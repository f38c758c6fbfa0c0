"""Chapter 3's panels (distributed transactions), one module per section of the notebook.

* `twopc` -- the 2PC timeline (in doubt, blocked), the slow participant, the Raft-replicated fix.
* `prepared` -- 2PC on two real PostgreSQL servers, as a transcript from the servers themselves.
* `quiz` -- the chapter's five questions.
"""

from .prepared import real_twopc_story
from .quiz import quiz
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

__all__ = ["CRASHES", "fix_panel", "real_twopc_story", "render_fix", "render_slow", "render_twopc", "slow_panel",
           "quiz", "twopc_panel", "twopc_run"]
