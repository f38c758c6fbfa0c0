"""Chapter 1 -- the consistency ladder: read histories, check each rung, place a history on the ladder.

>>> from distlab.consistency import read_history, check, classify
>>> h = read_history('{:process 0, :type :invoke, :f :write, :value 1}\\n'
...                  '{:process 0, :type :ok, :f :write, :value 1}\\n'
...                  '{:process 1, :type :invoke, :f :read, :value nil}\\n'
...                  '{:process 1, :type :ok, :f :read, :value nil}\\n')
>>> check(h, "linearizable").status, check(h, "sequential").status
('violated', 'holds')
>>> classify(h).strongest
['sequential']
"""
from distlab.consistency.history_io import (
    HistoryFormatError,
    detect_format,
    read_file,
    read_history,
    to_edn,
    to_json_lines,
)
from distlab.consistency.ladder import AVAILABILITY, IMPLIES, Classification, classify
from distlab.consistency.linearizability import check_linearizable
from distlab.consistency.rungs import RUNGS, check
from distlab.consistency.specs import MODELS, get_model, infer_model
from distlab.consistency.store_experiment import READ_POLICIES, StoreConfig, StoreResult, run_store
from distlab.consistency.verdict import HOLDS, UNKNOWN, VIOLATED, Budget, Verdict

__all__ = ["HistoryFormatError", "detect_format", "read_file", "read_history", "to_edn", "to_json_lines",
           "AVAILABILITY", "IMPLIES", "Classification", "classify", "check_linearizable", "MODELS",
           "get_model", "infer_model", "RUNGS", "check", "HOLDS", "UNKNOWN", "VIOLATED", "Budget", "Verdict",
           "READ_POLICIES", "StoreConfig", "StoreResult", "run_store"]
