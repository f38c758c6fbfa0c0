"""Chapter 1's quiz as plain data (`distlab.view.consistency.quiz()` turns it into widgets).

Five questions, each on an idea of the lecture that is easy to get backwards: what real time adds
to sequential consistency, which rungs survive a partition, which session guarantee fixes which
bug, how a version token works, and where the rule of thumb spends linearizability.
Format: `distlab.grading.quiz.quiz_from_data`.
"""

QUIZ = [
    {"kind": "choice",
     "prompt": ("Alice's write of 1 completes at t1. Bob's read starts after t1 and returns the old "
                "value (nothing). Which is the strongest rung this history can still satisfy?"),
     "options": ["linearizable", "sequential", "read-your-writes only", "none: every rung is violated"],
     "answer": 1,
     "hint": ("Only one rung promises anything about real time between different processes; "
              "drop just that promise and ask which rung is left on top."),
     "why": ["Linearizability respects real time: a read that begins after write 1 completed must see it.",
             "Right: sequential consistency only keeps each process's own order, so Bob's read may be "
             "placed before Alice's write.",
             "Sequential consistency holds too, and it implies read-your-writes.",
             "Only the real-time constraint is broken; every rung without real time still holds."],
     "explanation": ("Sequential consistency drops one thing from linearizability: real time between "
                     "different processes. The stale read is exactly such a reordering.")},
    {"kind": "choice",
     "prompt": ("A network partition cuts a client off from the leader, but it can still reach one "
                "follower and keeps using it. Which guarantees can it still be given?"),
     "options": ["linearizable", "causal", "read-your-writes", "monotonic reads", "sequential"],
     "answer": [1, 2, 3],
     "hint": ("Section 1 colours each rung by what it still promises when the network splits: "
              "which colours let a client keep going on the one replica it can reach?"),
     "explanation": ("Causal, PRAM and read-your-writes are sticky available: a client that stays on one "
                     "replica can keep going. Monotonic reads is even totally available. Linearizable "
                     "and sequential need the other side, so some clients must wait.")},
    {"kind": "choice",
     "prompt": ("A user saves a new profile bio, refreshes, and the old bio is back. Which guarantee "
                "was missing?"),
     "options": ["monotonic reads", "read-your-writes", "monotonic writes", "consistent prefix"],
     "answer": 1,
     "hint": "Whose write went missing: another user's, or the one this user had just made?",
     "why": ["Monotonic reads is about one reader going back in time relative to its earlier reads.",
             "Right: \"I saved it and it vanished\" -- the refresh hit a replica that had not applied "
             "the user's own write.",
             "Monotonic writes keeps one session's writes in order; here a single write went missing.",
             "Consistent prefix is about the order of writes a reader sees, not its own write."],
     "explanation": "Pin the session to a replica, or carry a version token that a lagging replica must reach."},
    {"kind": "choice",
     "prompt": ("With version tokens, the client sends the highest version it has seen. What does a "
                "follower that has applied only older versions do?"),
     "options": ["answers at once with what it has", "waits until it catches up, or redirects the client",
                 "forwards the write to the leader", "returns an error forever"],
     "answer": 1,
     "hint": ("The token says what the session has already seen; an answer older than that is the "
              "very bug the token is there to prevent."),
     "why": ["That is the eventual read path: it is exactly what produces the stale read.",
             "Right: either way the answer is at least as new as everything the session already saw; "
             "the price is latency when replicas lag.",
             "No write is involved: this is a read.",
             "Replication catches up; the follower only has to wait (or send the client elsewhere)."],
     "explanation": ("The token turns read-your-writes and monotonic reads into one comparison: "
                     "replica version >= token. The lag becomes latency instead of an anomaly.")},
    {"kind": "choice",
     "prompt": "Following the rule of thumb, which of these deserve linearizability?",
     "options": ["account balances", "like counts", "unique usernames", "leader identity", "profile bios"],
     "answer": [0, 2, 3],
     "hint": ("Ask of each: if two clients acted at once on a value a few seconds old, would something "
              "break that cannot be repaired later?"),
     "explanation": ("Spend linearizability only on invariants that must never bend: no overdraft, no "
                     "duplicate name, never two leaders. Likes and bios are fine with eventual "
                     "consistency plus a session guarantee (monotonic reads, read-your-writes).")},
]
