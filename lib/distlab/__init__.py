"""distlab: the library behind the distributed-systems course.

One package per chapter (``consistency``, ``consensus``, ``reliability`` ...), one deterministic
simulation kernel they all share (``distlab.sim``), real engines (``distlab.services``), exercise
checks (``distlab.grading``) and, kept apart, every widget and plot (``distlab.view``).
"""

__version__ = "0.1.0"
