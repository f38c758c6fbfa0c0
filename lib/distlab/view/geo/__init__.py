"""Chapter 4's panels (geo-replication), one module per section of the notebook.

* `world` -- the speed-of-light toll: measured round trips against the fibre bound, on a world map.
* `placement` -- where to put the leader: chapter 2's Raft across regions, a region outage; the three
  ways of placing writes.
* `quorums` -- Dynamo-style N/W/R: the overlap, latency, availability and stale reads under outages,
  strict or sloppy.
* `pbs` -- probabilistically bounded staleness: the Monte Carlo against the closed form.
* `conflicts` -- one schedule of concurrent writes under last-writer-wins, version vectors and CRDTs.
* `crdts` -- the CRDTs one by one, and the comparison with Yjs (pycrdt).
* `clocks` -- physical, Lamport and hybrid logical clocks on skewed clocks.
* `systems` -- Spanner's commit wait and CockroachDB's uncertainty restarts, judged by chapter 1's checker.
* `cassandra` -- Cassandra's consistency levels across two data centres.
* `replicas` -- quorum commit on real PostgreSQL replicas (a render of a measured result).
* `chooser` -- the lecture's "how to choose".
* `quiz` -- the chapter's five questions.
"""

import gc as _gc

from .cassandra import cassandra_panel, level_table, render_cassandra
from .chooser import chooser_panel, examples_table, render_chooser
from .clocks import clocks_panel, render_clocks
from .conflicts import conflicts_panel, render_conflicts
from .crdts import crdt_panel, render_crdt, yjs_table
from .pbs import pbs_panel, published_table, render_pbs
from .placement import options_panel, placement_panel, render_options, render_placement
from .quiz import quiz
from .quorums import dynamo_panel, render_dynamo
from .replicas import render_replicas, replicas_summary
from .systems import cockroach_panel, render_cockroach, render_spanner, spanner_panel
from .world import render_world, world_panel

__all__ = [
    "cassandra_panel", "chooser_panel", "clocks_panel", "cockroach_panel", "conflicts_panel", "crdt_panel",
    "dynamo_panel", "examples_table", "level_table", "options_panel", "pbs_panel", "placement_panel",
    "published_table", "quiz", "render_cassandra", "render_chooser", "render_clocks", "render_cockroach",
    "render_conflicts", "render_crdt", "render_dynamo", "render_options", "render_pbs", "render_placement",
    "render_replicas", "render_spanner", "render_world", "replicas_summary", "spanner_panel", "world_panel",
    "yjs_table",
]

# The chapter's libraries (the latency model, Raft, the CRDTs, numpy, pycrdt) load after
# distlab.view froze the session's long-lived objects; freeze them too, so a later full garbage
# collection does not walk them inside a redraw (one landed in the PBS panel: ~60 ms).
_gc.collect()
_gc.freeze()
