"""``distlab.geo`` -- chapter 4: geo-replication.

The chapter is built in milestones (issue #10); each module below names its own public API, and
``docs/geo.md`` explains the models, what they leave out, and how each claim of the lecture is
checked. Import the modules directly (``from distlab.geo import pbs``); this package imports nothing
so that one milestone never slows another's start-up.

=================  =============================================================================
``quorum``          Dynamo-style N/W/R quorums on the simulation kernel: preference lists on a hash
                    ring, sloppy quorums with hinted handoff, read repair, anti-entropy
``pbs``             probabilistically bounded staleness: the WARS Monte Carlo (Bailis et al., 2012)
                    and the closed form for a read quorum that misses the write quorum
``crdts``           conflict-free replicated data types and their merge laws
``conflicts``       one schedule of concurrent writes resolved by last-writer-wins, version vectors
                    and CRDTs
=================  =============================================================================
"""
