"""Chapter 2's quiz as plain data (`distlab.view.consensus.quiz()` turns it into widgets).

Five questions, one per idea a learner tends to get backwards: quorum arithmetic, why an even
cluster buys nothing, what a minority leader can do, why randomized timeouts, and what a fencing
token protects. Format: `distlab.grading.quiz.quiz_from_data`.
"""

QUIZ = [
    {"kind": "numeric",
     "prompt": "A Raft cluster has 7 servers. How many may crash while it still commits new entries?",
     "answer": 3, "tolerance": 0, "unit": "servers", "integer": True,
     "hint": "First work out the smallest majority of 7; the servers beyond it are the ones that may fail.",
     "explanation": ("A majority of 7 is 4, so 3 may be down: 2f + 1 servers survive f failures. "
                     "With a 4th down, the 3 left are not a majority and nothing commits.")},
    {"kind": "choice",
     "prompt": "Why do teams run 5 servers rather than 6?",
     "options": ["6 servers tolerate more failures than 5",
                 "6 servers need a majority of 4 and still tolerate only 2 failures",
                 "Raft requires an odd number of servers",
                 "an even cluster can elect two leaders in one term"],
     "answer": 1,
     "hint": "Work out the majority and the failures tolerated for both sizes, as in exercise 2.",
     "why": ["Both tolerate 2: a majority of 6 is 4, so only 2 may be down.",
             "Right: the 6th server adds a vote to every quorum and a machine that can fail, "
             "but no extra fault tolerance.",
             "Raft works with any size; an even one is just wasteful.",
             "Election safety holds for any size: two majorities always overlap."],
     "explanation": "Tolerance is (n - 1) // 2: 5 and 6 servers both survive 2 crashes."},
    {"kind": "choice",
     "prompt": ("A leader is partitioned together with one follower, away from the other three of "
                "five servers. A client sends it a command. What happens to that command?"),
     "options": ["it commits on the two servers of the minority",
                 "the leader refuses it because it knows it is partitioned",
                 "it is appended but never committed, and is overwritten after the heal",
                 "it is merged into the majority's log when the partition heals"],
     "answer": 2,
     "hint": "Section 3 ran exactly this: look at the old leader's log before and after the heal.",
     "why": ["Committing needs a majority: 2 of 5 is not one.",
             "Without check-quorum the old leader does not know; it accepts and waits.",
             "Right: the majority elects a new leader in a higher term; on the heal the old "
             "leader steps down and its uncommitted entries are replaced.",
             "Raft never merges logs: the leader's log wins, conflicting entries are cut."],
     "explanation": ("Only entries stored on a majority are committed; a minority's entries were "
                     "never acknowledged to the client as committed, so dropping them is safe.")},
    {"kind": "choice",
     "prompt": "Why does Raft draw each election timeout at random from a range (e.g. 150-300 ms)?",
     "options": ["to spread the load of heartbeats",
                 "so that one server usually times out first and wins before others stand",
                 "so that a crashed leader is detected faster",
                 "to make the protocol safe when clocks drift"],
     "answer": 1,
     "hint": "Compare section 4's two plots: what happens when every server has the same timeout?",
     "why": ["Heartbeats come from the leader on a fixed interval; timeouts are the followers'.",
             "Right: with equal timeouts every follower stands at once, votes for itself, and "
             "the vote splits again and again (Figure 16's 150-150 ms curve).",
             "A wider range detects a crash later on average, not sooner.",
             "Safety never depends on timing in Raft; the timeouts are for liveness."],
     "explanation": ("Randomness breaks the symmetry: the dissertation's formula puts a split vote "
                     "at about 5 % when the one-way latency is a tenth of the range.")},
    {"kind": "choice",
     "prompt": ("Client A holds a lock from etcd, then freezes in a long GC pause; its lease "
                "expires and client B takes the lock. A wakes and writes. What stops A's write?"),
     "options": ["nothing: the lock service cannot reach a frozen client",
                 "etcd revokes A's write when the lease expires",
                 "A checks that it still holds the lock just before writing",
                 "the storage rejects A's write because its fencing token is older than B's"],
     "answer": 3,
     "hint": "In section 7's story A is frozen: it can check nothing. Who else sees A's write?",
     "why": ["True of the lock service alone -- which is why the storage must check.",
             "etcd never sees A's write: it goes to another system.",
             "A can pause right after the check, so the check proves nothing.",
             "Right: the token (the lock key's revision) grows with every holder; storage that "
             "remembers the highest token it accepted refuses older ones."],
     "explanation": ("A lease tells the service who holds the lock; only a fencing token lets the "
                     "resource itself refuse a holder that has lost it without knowing.")},
]
