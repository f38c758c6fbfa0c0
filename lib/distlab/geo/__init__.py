"""``distlab.geo`` -- chapter 4: geo-replication.

``docs/geo.md`` explains the models, what they leave out, and how each claim of the lecture is
checked. Import the modules directly (``from distlab.geo import pbs``); this package imports nothing
so that one part never slows another's start-up.

=====================  =========================================================================
``latency``             the world's latency: Bailis's 2013 EC2 round-trip percentiles
                        (``latency_data``) as a latency model on the kernel
``world``               regions, great-circle distances and the speed-of-light-in-fibre bound
                        (``world_bound``: measured / physical minimum; ``world_coast``,
                        ``world_map``, ``world_map_placement``: the map, drawn on a given Axes)
``placement``           where to put the leader: chapter 2's Raft across regions, one write region
                        vs the best leader vs multi-writer (``placement_raft``, ``_multi``,
                        ``_compare``, ``_result``)
``quorum``              Dynamo-style N/W/R quorums on the kernel: preference lists on a hash ring
                        (``ring``), sloppy quorums with hinted handoff, read repair, anti-entropy
                        (``quorum_config``, ``_node``, ``_client``, ``_result``, ``_overlap``)
``pbs``                 probabilistically bounded staleness: the WARS Monte Carlo (Bailis et al.,
                        2012; ``pbs_fits``) and the closed form for a read quorum missing the write
``crdts``               conflict-free replicated data types and their merge laws (``crdt_*``)
``vclock``              version vectors and Dynamo-style siblings
``conflicts``           one schedule of concurrent writes resolved by last-writer-wins, version
                        vectors and CRDTs (``conflicts_sim``, ``conflicts_outcome``)
``yjs``                 the same edits through ``pycrdt`` (Yjs) documents; ``yjs_table``: where its
                        semantics differ from ours
``clocks``              Lamport, vector and hybrid logical clocks (``clocks_sim``: on the kernel
                        with clock skew)
``spanner``             TrueTime (``truetime``) and commit wait (``spanner_nodes``,
                        ``clocks_workload``)
``cockroach``           hybrid-logical-clock timestamps with uncertainty restarts
                        (``cockroach_nodes``)
``cassandra``           Cassandra's consistency levels across data centres (``cassandra_levels``)
``replicas``            real PostgreSQL replicas: a primary and standbys from ``pg_basebackup``,
                        quorum commit with ``ANY k`` and ``remote_apply`` (``replicas_standby``,
                        ``replicas_experiment``)
``chooser``             the lecture's "how to choose", priced by measured round trips
                        (``chooser_costs``)
=====================  =========================================================================
"""
