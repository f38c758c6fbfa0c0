"""distlab.view: every widget and plot of the course -- and the ONLY package that imports
ipywidgets or matplotlib.

Shared pieces (chapter panels live in ``view/<chapter>.py`` and build on these):

* `style` -- Okabe–Ito palette, role styles, figure helpers (PNG output).
* `controls` -- validated seed / size / fraction / fault controls.
* `panel.Panel` -- wires controls to a pure ``render(config, fig=None)``; records render times;
  `panel.panel_render` lets a notebook call the same render with keywords (one calling style).
* `cluster_picture` -- `ClusterPicture` (plain data); `cluster_drawing` -- `render_cluster`:
  roles, crashes, partitions, messages; `cluster_snapshot.picture_from_sim` builds the picture
  from a `distlab.sim.Simulation`.
* `player.Player` -- play / step / seek over frames, with a "fork here" hook.
* `badges` -- invariant badges (✓ holds / ✗ violated).
* `replay.Replay` -- Player + one reused figure + badges over a recorded run, with forks.
* `quiz.Quiz` and `exercise.ExerciseBox` -- quiz and exercise widgets.
* `timing.measure_updates` -- control change → finished redraw, median and p95.
* `progress.sweep` -- a long loop with a progress bar that the interrupt button stops cleanly.
"""

import gc as _gc

from .badges import UNCHECKED, Badges, badges_html, badges_text
from .cluster_drawing import ClusterPicture, MsgPic, NodePic, cluster_panel, render_cluster
from .cluster_snapshot import picture_from_sim
from .controls import fault_control, fraction_control, seed_control, size_control
from .exercise import ExerciseBox
from .panel import Panel
from .player import Player
from .progress import sweep
from .quiz import Quiz
from .replay import Replay
from .timing import measure_updates

__all__ = ["UNCHECKED", "Badges", "ClusterPicture", "ExerciseBox", "MsgPic", "NodePic", "Panel",
           "Player", "Quiz", "Replay", "badges_html", "badges_text", "cluster_panel", "fault_control",
           "fraction_control", "measure_updates", "picture_from_sim", "render_cluster",
           "seed_control", "size_control", "sweep"]

# Steady redraws. By now the kernel holds ~120,000 long-lived objects (matplotlib, ipywidgets,
# numpy, networkx, the course). A full garbage collection walks all of them (~60 ms on a 2-core
# machine) and lands in whichever redraw happens to cross the allocation threshold. They live for
# the whole session, so they are moved out of every later collection (``gc.freeze``, after one
# collection so that no garbage is kept); garbage made afterwards is still collected as usual.
_gc.collect()
_gc.freeze()
