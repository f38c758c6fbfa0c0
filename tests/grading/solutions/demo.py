"""Reference solutions and known-wrong answers (mutations) for the demo exercises.

Every file in this folder follows the same shape; `tests/grading/test_solutions.py` picks it up:
``SOLUTIONS = {exercise_id: answer}`` and ``MUTATIONS = {exercise_id: {name: wrong_answer}}``.
Importing the module must register its exercises (a chapter file imports
``distlab.grading.<chapter>``).
"""

import demo_exercises  # noqa: F401  (tests/grading/data is put on sys.path by conftest)

SOLUTIONS = {
    "demo.majority": lambda n: n // 2 + 1,
    "demo.tolerated_failures": 2,
    "demo.quorums_overlap": lambda n: 2 * (n // 2 + 1) - n,
}

MUTATIONS = {
    "demo.majority": {
        "half": lambda n: n // 2,
        "round_up_half": lambda n: (n + 1) // 2,
        "everyone": lambda n: n,
        "off_by_one_large": lambda n: n // 2 + 1 if n < 10 else n // 2,
    },
    "demo.tolerated_failures": {"majority_instead": 3, "one": 1, "string": "2", "bool": True},
    "demo.quorums_overlap": {"always_one": lambda n: 1, "zero": lambda n: 0},
}
