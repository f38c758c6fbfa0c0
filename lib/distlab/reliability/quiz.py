"""Chapter 5's quiz as plain data (`distlab.view.reliability.quiz()` turns it into widgets).

Five questions, one per idea of the lecture that a learner tends to get backwards: the fixed
window's boundary burst, the token bucket's bound, the retry storm's amplification, what a budget
caps, and why shedding must look at priority.  Format: `distlab.grading.quiz.quiz_from_data`.
"""

QUIZ = [
    {"kind": "numeric",
     "prompt": ("A fixed-window limiter allows 100 requests per minute. At most how many requests "
                "can it admit within any 2 seconds?"),
     "answer": 200, "tolerance": 0, "unit": "requests", "integer": True,
     "explanation": ("100 in the last second of one window and 100 in the first second of the next: "
                     "the counters reset at the boundary, so a burst straddling it gets 2x the limit. "
                     "The sliding log and the sliding window counter exist to close that gap.")},
    {"kind": "choice",
     "prompt": ("A token bucket holds 10 tokens and refills at 5 per second. Starting full, what is the "
                "most it can admit over any 4-second interval?"),
     "options": ["20", "30", "40", "10"], "answer": 1,
     "why": ["That is the refill alone; the bucket's 10 stored tokens come on top.",
             "Right: burst + rate x t = 10 + 5 x 4.",
             "That would need 10 tokens per second of refill.",
             "That is only the burst; tokens keep dripping in during the interval."],
     "explanation": "Over any interval of length t a token bucket admits at most capacity + rate x t."},
    {"kind": "choice",
     "prompt": ("Three layers (gateway, service, dependency client) each retry a failed call up to 3 "
                "attempts in total. When the dependency is down, how many calls can one user request "
                "cause at the dependency?"),
     "options": ["3", "9", "27", "6"], "answer": 2,
     "explanation": ("Retries multiply across layers: 3 x 3 x 3 = 27 attempts, arriving exactly when the "
                     "dependency is weakest. Retry at one layer only, and cap retries with a budget.")},
    {"kind": "choice",
     "prompt": "Which statements about a retry budget (gRPC retry throttling) are true?",
     "options": ["It caps retries to a fraction of successful traffic, so a dependency that is down "
                 "receives almost no retries",
                 "It replaces exponential backoff: with a budget, retries can fire at once",
                 "It is shared by all calls to one dependency, not counted per request",
                 "It makes non-idempotent calls safe to retry"],
     "answer": [0, 2],
     "explanation": ("Tokens drain by one per failure and refill by a fraction per success, and retries "
                     "stop below half the bucket: when everything fails, retries stop. It complements "
                     "backoff and jitter, and it never makes a non-idempotent call safe to repeat.")},
    {"kind": "choice",
     "prompt": ("The gateway is at twice its capacity: 30% checkout, 50% browse, 20% analytics. "
                "Which policy keeps checkouts succeeding?"),
     "options": ["A bigger FIFO queue at the gateway",
                 "Shedding by priority at the door, with a deadline on every request",
                 "Retrying every rejected request with full jitter",
                 "Raising the client timeout"],
     "answer": 1,
     "why": ["A bigger queue only makes every request wait longer; all kinds fail alike.",
             "Right: drop analytics first, then browse, and never serve work whose caller gave up.",
             "Retries add load to an overloaded gateway.",
             "Longer timeouts keep more dead work in the queue."],
     "explanation": "A served checkout and a dropped analytics ping beats both failing."},
]
