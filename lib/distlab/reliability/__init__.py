"""Chapter 5, reliability: rate limiters, backpressure, breakers, bulkheads, retries, shedding.

Rate limiting is split into *what* (:mod:`.limits_spec`), *how* (one module per strategy:
:mod:`.token_bucket`, :mod:`.gcra`, :mod:`.fixed_window`, :mod:`.sliding_log`,
:mod:`.sliding_window`) and *where* (:mod:`.memory_store`, :mod:`.redis_store`), joined by
:class:`.limiter.RateLimiter`. Every policy takes an injected clock; every simulation a seed. The cascade simulator
(:mod:`.cascade`, on the shared kernel) and Brooker's study (:mod:`.backoff_study`, a lean loop) are
imported from their modules.
"""
from .backpressure import BackpressureConfig, simulate_backpressure
from .breaker import BreakerConfig, CircuitBreaker, CircuitOpen
from .bulkhead import Bulkhead, BulkheadFull, Bulkheads
from .clock import ManualClock
from .deadline import Deadline, DeadlineExceeded
from .fixed_window import FixedWindow
from .gcra import GCRA
from .limiter import STRATEGIES, RateLimiter, make_strategy
from .limits_spec import RateLimit, parse_limit, parse_limits
from .memory_store import MemoryStore
from .redis_store import RedisStore
from .retry import Backoff, RetryBudget, RetryPolicy
from .shedding import PriorityShedder, no_priority_inversion
from .sliding_log import SlidingLog
from .sliding_window import SlidingWindowCounter
from .store import StoreUnavailable
from .strategy import LimitStats
from .token_bucket import TokenBucket

__all__ = [
    "Backoff", "BackpressureConfig", "BreakerConfig", "Bulkhead", "BulkheadFull", "Bulkheads", "CircuitBreaker",
    "CircuitOpen", "Deadline", "DeadlineExceeded", "PriorityShedder", "RetryBudget", "RetryPolicy",
    "no_priority_inversion", "simulate_backpressure",
    "GCRA", "STRATEGIES", "FixedWindow", "LimitStats", "ManualClock", "MemoryStore", "RateLimit",
    "RateLimiter", "RedisStore", "SlidingLog", "SlidingWindowCounter", "StoreUnavailable", "TokenBucket",
    "make_strategy", "parse_limit", "parse_limits",
]
