"""Demo exercises that exist only for the grading framework's own tests (notebook ``"demo"``).

Majority quorums: a cluster of n nodes needs floor(n/2)+1 votes so any two quorums overlap, and
therefore survives floor((n-1)/2) crashed nodes (the 2f+1 rule of Raft and Paxos).
"""

from distlab.grading.registry import exercise


@exercise("demo.majority", notebook="demo",
          hints=["A majority is strictly more than half.", "For n = 4 the answer is 3."])
def check_majority(majority):
    if majority(4) == 2:
        return "majority(4) returned 2, which is only half: two disjoint halves could both win."
    if majority(5) == 2:
        return "majority(5) returned 2: two votes out of five is a minority."
    return all(majority(n) == n // 2 + 1 for n in range(1, 16))


@exercise("demo.tolerated_failures", notebook="demo", points=2,
          hints=["With 2f+1 nodes you survive f crashes.", "Solve 5 = 2f + 1 for f."])
def check_tolerated(answer):
    if not isinstance(answer, int) or isinstance(answer, bool):
        return f"expected a whole number of nodes, got {answer!r}"
    if answer == 3:
        return "with 3 of 5 nodes down only 2 remain: not a majority, so no leader."
    return answer == 2


@exercise("demo.quorums_overlap", notebook="demo",
          hints=["Count the members two quorums must share."])
def check_overlap(overlap):
    return all(overlap(n) == 2 * (n // 2 + 1) - n for n in range(1, 12))
