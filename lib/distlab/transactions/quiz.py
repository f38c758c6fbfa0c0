"""Chapter 3's quiz as plain data (`distlab.view.transactions.quiz()` turns it into widgets).

Five questions, one per idea of the lecture that a learner tends to get backwards: who 2PC blocks,
what a coordinator decides when it comes back with nothing logged, the order of a saga's
compensations, which dual write loses events, and what a reused idempotency key gets back.
Format: `distlab.grading.quiz.quiz_from_data`.
"""

QUIZ = [
    {"kind": "choice",
     "prompt": ("Two-phase commit, three participants, cooperative termination on. Every participant "
                "has voted yes; the coordinator crashes before anyone hears the decision. What happens "
                "to the participants' locked rows?"),
     "options": ["They are released after a timeout: a participant may abort on its own",
                 "They stay locked until the coordinator comes back",
                 "The participants ask each other and commit, since all voted yes",
                 "The participants ask each other and abort"],
     "answer": 1,
     "why": ["Not after voting yes: the coordinator may already have decided commit and told someone.",
             "Right: all voted yes and none knows the decision, so nobody can decide. This is 2PC's blocking.",
             "All yes votes allow commit, but the coordinator may have timed out and decided abort.",
             "The coordinator may have logged commit; aborting could break atomicity."],
     "explanation": ("Termination helps only when some reachable participant knows the decision or has "
                     "not voted yet (and can still abort). Replicating the coordinator's decision (Raft, "
                     "Paxos Commit, Spanner) is what removes the block.")},
    {"kind": "choice",
     "prompt": ("A 2PC coordinator restarts and finds PREPAREd transactions on its participants but no "
                "decision record in its own log. What must it decide?"),
     "options": ["commit, since the participants prepared", "abort", "ask the participants to vote again",
                 "nothing: leave them for an operator"],
     "answer": 1,
     "why": ["Some participant may have voted no, or never been asked: nobody was told commit.",
             "Right: presumed abort. A commit is always logged before anyone hears it.",
             "Votes are final; a prepared participant cannot vote again.",
             "Leaving them keeps their rows locked indefinitely."],
     "explanation": ("The coordinator writes its decision to durable storage before sending it. No record "
                     "means no participant was told commit, so abort is safe.")},
    {"kind": "choice",
     "prompt": ("The trip saga created the booking (step 1) and reserved a seat (step 2); then charging "
                "the card (step 3, the pivot) fails: the card is declined. What runs next?"),
     "options": ["release the seat, then cancel the booking", "cancel the booking, then release the seat",
                 "refund the card, release the seat, cancel the booking", "retry the charge until it succeeds"],
     "answer": 0,
     "why": ["Right: the completed steps are compensated, newest first.",
             "That is the forward order. Compensations undo the most recent step first.",
             "The charge failed, so its local transaction rolled back: there is nothing to refund.",
             "A declined card will not succeed on retry, and the pivot is not a retriable step. Only "
             "the steps after a successful pivot are retried until they succeed."],
     "explanation": ("Each completed step's compensation runs exactly once, newest first. Had the charge "
                     "succeeded, the saga would be past its pivot and could only move forward. Between the "
                     "steps other readers can see the intermediate state (a reserved seat with no charge): "
                     "sagas give up isolation.")},
    {"kind": "choice",
     "prompt": ("A service commits an order to its database and then publishes an OrderPlaced event to "
                "the broker. The process crashes between the commit and the publish. What is lost?"),
     "options": ["nothing: the broker retries", "the order", "the event: the order exists but nobody hears of it",
                 "both, since the transaction rolls back"],
     "answer": 2,
     "why": ["The broker never received anything, so it has nothing to retry.",
             "The order was committed before the crash.",
             "Right: the lost event. Publishing first instead would invent events for orders that never "
             "committed.",
             "The commit had finished; a crash afterwards cannot roll it back."],
     "explanation": ("The transactional outbox writes the event in the same local transaction as the order. "
                     "A relay then publishes it at least once, and the consumer removes duplicates.")},
    {"kind": "choice",
     "prompt": ("A client retries a payment with the same idempotency key but a different amount. "
                "What should the server do?"),
     "options": ["charge the new amount", "return the first result", "refuse the request: the key was used "
                 "for a different request", "charge both amounts"],
     "answer": 2,
     "why": ["That would be a second charge under a key meant to prevent one.",
             "The stored result answers a different request, so replaying it would mislead the client.",
             "Right: the server compares the request's fingerprint with the stored one and refuses a mismatch.",
             "That is the double charge idempotency keys exist to prevent."],
     "explanation": ("Same key and same parameters replay the stored first result, errors included. A "
                     "concurrent request whose key is still in flight gets a conflict, and a different "
                     "request under a used key is refused.")},
]
