"""The split-vote formula of Ongaro's dissertation (ch. 9, §9.3): how likely an election fails
because too many servers time out at nearly the same moment.

With ``n`` servers of which ``s`` are up, the first server to time out wins unless enough others
time out before its RequestVote reaches them. Measure that window, the one-way latency, as a
fraction ``l`` of the election-timeout range; a split vote then needs ``c = s - floor(n/2) + 1``
timeouts within ``l`` of the first, and (each server's timeout being uniform over the range)

    Pr[split] = sum_{k=c-1}^{s} C(s, k) * l^k * (1 - l)^(s - k)

For n = 5, s = 4 this is about 0.06 %, 5.2 % and 18.1 % at l = 1 %, 10 % and 20 %: a range ten
times the network latency makes split votes rare, which is why 150-300 ms works on a LAN and
150-150 ms (l -> infinity) essentially never elects anyone.
"""
from __future__ import annotations

from math import comb


def votes_to_split(n: int, s: int) -> int:
    """``c``: how many near-simultaneous timeouts it takes to deny everyone a majority."""
    _check(n, s)
    return s - n // 2 + 1


def split_vote_probability(n: int, s: int, l: float) -> float:  # noqa: E741 - the dissertation's l
    """Pr[split vote] for ``n`` servers, ``s`` of them up, latency ``l`` as a fraction of the
    election-timeout range (0 <= l <= 1)."""
    _check(n, s)
    if not isinstance(l, (int, float)) or not 0.0 <= l <= 1.0:
        raise ValueError(f"l (latency as a fraction of the timeout range) must be between 0 and "
                         f"1, got {l!r}")
    c = votes_to_split(n, s)
    return sum(comb(s, k) * l**k * (1 - l) ** (s - k) for k in range(max(c - 1, 0), s + 1))


def _check(n: int, s: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n (servers) must be an integer >= 1, got {n!r}")
    if not isinstance(s, int) or isinstance(s, bool) or not n // 2 + 1 <= s <= n:
        raise ValueError(f"s (servers up) must be an integer from {n // 2 + 1} (a majority) to "
                         f"{n}, got {s!r}")
