"""Chapter 4's quiz as plain data (`distlab.view.geo.quiz()` turns it into widgets).

Five questions, one per idea of the lecture that a learner tends to get backwards: what money cannot
buy off a round trip, which quorums must meet, why a partial quorum is usually fresher than its
worst case, what last-writer-wins does with a clock that runs behind, and what Spanner's commit wait
is for. Each uses only terms the chapter defines (or defines them where it uses them); the right
option sits at a different place from question to question, and each question has a hint that does
not name it. Format: `distlab.grading.quiz.quiz_from_data`.
"""

QUIZ = [
    {"kind": "choice",
     "prompt": ("Sydney and Virginia are 15,674 km apart along the great circle, and light in fibre covers about "
                "200 km per millisecond. A client in Sydney writes to a leader in Virginia and waits for the "
                "answer. What is the shortest round trip any network could ever give it?"),
     "options": ["about 78 ms", "about 269 ms, the measured median", "about 157 ms",
                 "as short as the budget for better links allows"],
     "answer": 2,
     "why": ["That is one way. The request goes there and the answer comes back: twice the distance.",
             "That is what the 2013 measurements saw: real routes are longer than the great circle, and routers "
             "queue. It is above the floor, not the floor itself.",
             "Right: 2 × 15,674 km / 200 km per ms ≈ 157 ms. Physics sets this floor, whatever you spend.",
             "Money shortens routes and queues, not the distance: no link beats light in fibre."],
     "hint": "How many times does a round trip cover the distance? And can any link beat light in fibre?",
     "explanation": ("Across the 28 pairs of regions the measured median is 1.4 to 4.3 times the fibre bound "
                     "(median 1.9). A synchronous write across continents pays this toll on every commit.")},
    {"kind": "choice",
     "prompt": ("N = 5 replicas per key. A write waits for W acknowledgements, a read for R answers. Which "
                "choice guarantees that every read sees every write that completed before the read began?"),
     "options": ["W = 3, R = 3", "W = 2, R = 3", "W = 1, R = 4", "W = 2, R = 2"],
     "answer": 0,
     "why": ["Right: 3 + 3 = 6 > 5, so any 3 replicas and any other 3 of the 5 share at least one.",
             "2 + 3 = 5 = N: a read quorum of 3 can be exactly the 3 replicas the write never reached.",
             "1 + 4 = 5 = N: the one replica with the write can be the one the read leaves out.",
             "2 + 2 = 4 < 5: two read and two write replicas can be four different ones."],
     "hint": "Can the replicas a read asks be all different from the ones that took the write? Count them.",
     "explanation": ("Quorums intersect exactly when R + W > N. W = N makes writes slow and fragile, R = 1 "
                     "makes reads fast; the rule only asks that the two add up to more than N.")},
    {"kind": "choice",
     "prompt": ("N = 3, R = W = 1. If only the one replica that acknowledged a write ever held it, a read of "
                "one random replica would miss it 2 times in 3. Yet the PBS Monte Carlo with LinkedIn's disk "
                "latencies finds 44 % of reads consistent at once and 93 % ten milliseconds later. Why?"),
     "options": ["the closed form C(N−W, R)/C(N, R) is wrong",
                 "stale reads are retried until they are fresh",
                 "a read that finds an old copy sends the new one to that replica before it returns",
                 "the write was sent to all three replicas; it keeps arriving at the other two after the "
                 "first acknowledgement"],
     "answer": 3,
     "why": ["It is right for its assumption -- nothing beyond the write quorum ever gets the write -- and the "
             "Monte Carlo with propagation switched off matches it.",
             "Nothing in the WARS model retries a read: a read returns whatever its R replicas have.",
             "Nothing in the PBS model copies data after the fact -- not on a read, not in the background: "
             "only the write's own messages spread it.",
             "Right: a write goes to all N replicas and commits at the first W acknowledgements; the others "
             "get it moments later. The longer a reader waits, the likelier its replica has it."],
     "hint": "When W replicas have acknowledged, what happens to the write's messages to the other replicas?",
     "explanation": ("\"Not guaranteed\" is not \"often wrong\": partial quorums are usually fresh, and PBS says "
                     "how usually, t milliseconds after commit. The guarantee still needs R + W > N.")},
    {"kind": "choice",
     "prompt": ("Last-writer-wins keeps the write with the highest (timestamp, node). Replica A's clock runs "
                "200 ms behind. A receives C's write, reads it, and a few milliseconds later writes a new value to "
                "replace it. What "
                "does every replica hold once all states are delivered?"),
     "options": ["A's value: it was written last", "C's value: A's write, though later, carries a smaller "
                 "timestamp and is silently dropped", "both values, as siblings for the reader",
                 "it depends on the order the replicas receive the two writes"],
     "answer": 1,
     "why": ["Later in true time, but LWW compares the clocks' readings, and A's is 200 ms behind.",
             "Right: LWW lost a write that had seen the winner and meant to replace it -- a loss only skew can cause.",
             "That is what version vectors (or an MV-register) do: they keep concurrent writes as siblings. LWW "
             "keeps one.",
             "LWW is deterministic: every replica keeps the highest (timestamp, node), whatever the order."],
     "hint": "LWW never looks at true time: compare the two timestamps the clocks wrote.",
     "explanation": ("LWW is fine for caches. For data that matters, detect concurrency with version vectors "
                     "(and merge the siblings) or use a CRDT whose merge keeps every update.")},
    {"kind": "choice",
     "prompt": ("Spanner stamps a write with s = TT.now().latest and answers only once TT.now().earliest > s "
                "(commit wait, about 2ε). What does the wait buy?"),
     "options": ["time for the followers to apply the write",
                 "batches of writes, for throughput",
                 "any transaction that begins after the answer gets a larger timestamp, whatever its clock says "
                 "(if every clock is within ε)",
                 "nothing the majority's acknowledgements do not already give"],
     "answer": 2,
     "why": ["Replication is the majority's job, and it runs at the same time as the wait.",
             "The wait is per write and adds latency; it batches nothing.",
             "Right: once the wait is over, true time is past s, so a later reader's TT.now().latest is past s "
             "too. Skip it, and a fast clock's write can complete before a slow clock's reader picks a "
             "smaller timestamp: a stale read chapter 1's checker rejects.",
             "A majority makes the write durable, not ordered against real time across skewed clocks."],
     "hint": "Picture a reader that starts just after the answer, on a clock running slow: what must its timestamp be?",
     "explanation": ("Commit wait turns bounded clock uncertainty into real-time order: a transaction that "
                     "starts after a write was answered sees that write, as chapter 1's linearizability checker "
                     "confirms. Across regions the majority's round trip (~80 ms) hides a 2ε of 8 ms (this "
                     "chapter's ε = 4 ms) entirely; CockroachDB, without atomic clocks, restarts reads that meet "
                     "an uncertain write instead.")},
]
