"""Measured round-trip times between EC2 regions (Bailis, 2013): the file, read and checked.

Source: Peter Bailis, "Communication Costs in Real-world Networks", blog post, May 2013 -- a week of
one-per-second pings between ``m1.small`` EC2 instances. ``data/ec2-rtt-2013.json`` is a byte-for-byte
copy of the published ``ping-pctiles.json``. Values are round trips in milliseconds:
``pctiles[src][dst]`` maps a percentile (``"0.5"`` ... ``"0.99999"``) or ``"avg"`` (the mean) to a
time; each direction was measured from its ``src``, so ``src -> dst`` and ``dst -> src`` differ a little.

Node indices (the post's own table): 0 Virginia (us-east), 1 Oregon (us-west-2), 2 California
(us-west-1), 3 Ireland (eu-west), 4 Singapore, 5 Tokyo, 6 Sydney, 7 São Paulo; 8, 9, 10 three
availability zones of us-east (pairs among them only); 11, 12, 13 three hosts in one availability
zone of us-east (pairs among them only). What the file does not hold -- anything below the median,
and any intra-region figure outside us-east -- is filled in by :mod:`distlab.geo.latency`.

A malformed file is a :class:`LatencyFileError` (a ``ValueError``) that names the file and the key:

>>> parse_rtt({"pctiles": {}}, "demo.json")
Traceback (most recent call last):
    ...
distlab.geo.latency_data.LatencyFileError: demo.json: pctiles["0"] is missing: every region 0-7 needs a row
"""
from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

__all__ = ["CROSS_ZONE", "DATA_FILE", "MEAN_KEY", "PERCENTILES", "PERCENTILE_KEYS", "REGION_NODES",
           "SAME_ZONE", "LatencyFileError", "PairRtt", "RttTable", "default_table", "expected_pairs",
           "load_rtt", "parse_rtt"]

DATA_FILE = "data/ec2-rtt-2013.json"
PERCENTILES: tuple[float, ...] = (0.5, 0.75, 0.95, 0.99, 0.999, 0.9999, 0.99999)
PERCENTILE_KEYS: tuple[str, ...] = tuple(str(p) for p in PERCENTILES)
MEAN_KEY = "avg"
REGION_NODES: tuple[int, ...] = tuple(range(8))   #: the eight regions
CROSS_ZONE: tuple[int, ...] = (8, 9, 10)          #: three availability zones of us-east
SAME_ZONE: tuple[int, ...] = (11, 12, 13)         #: three hosts in one availability zone


class LatencyFileError(ValueError):
    """The latency file is malformed; the message names the file and the offending key."""


class PairRtt(NamedTuple):
    """Round trips measured from node ``src`` to node ``dst``: ``values`` in ms at
    :data:`PERCENTILES` (non-decreasing), and their ``mean`` in ms."""

    src: int
    dst: int
    values: tuple[float, ...]
    mean: float

    @property
    def median(self) -> float:
        """The median round trip, ms."""
        return self.values[0]


class RttTable(NamedTuple):
    """Every directed pair of the file, keyed ``(src, dst)`` by node index, and where it came from."""

    pairs: dict[tuple[int, int], PairRtt]
    source: str

    def pair(self, src: int, dst: int) -> PairRtt:
        """The measurements from ``src`` to ``dst`` (node indices)."""
        return self.pairs[(src, dst)]


def expected_pairs() -> list[tuple[int, int]]:
    """Every directed pair the file must hold: among the regions, the zones, and the hosts."""
    return [(a, b) for group in (REGION_NODES, CROSS_ZONE, SAME_ZONE) for a in group for b in group if a != b]


def _where(src: str, dst: str | None = None, key: str | None = None) -> str:
    path = f'pctiles["{src}"]'
    if dst is not None:
        path += f'["{dst}"]'
    if key is not None:
        path += f'["{key}"]'
    return path


def _time(source: str, src: str, dst: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0:
        raise LatencyFileError(f"{source}: {_where(src, dst, key)} must be a finite number of "
                               f"milliseconds > 0, got {value!r}")
    return float(value)


def _pair(source: str, src: int, dst: int, row: object) -> PairRtt:
    s, d = str(src), str(dst)
    if not isinstance(row, dict):
        raise LatencyFileError(f"{source}: {_where(s, d)} must be an object of percentiles, got {row!r}")
    wanted = (*PERCENTILE_KEYS, MEAN_KEY)
    for key in row:
        if key not in wanted:
            raise LatencyFileError(f"{source}: {_where(s, d, str(key))} is not a known key "
                                   f"(expected {', '.join(wanted)})")
    for key in wanted:
        if key not in row:
            raise LatencyFileError(f"{source}: {_where(s, d, key)} is missing")
    values = tuple(_time(source, s, d, key, row[key]) for key in PERCENTILE_KEYS)
    for lower, higher, a, b in zip(PERCENTILE_KEYS, PERCENTILE_KEYS[1:], values, values[1:]):
        if b < a:
            raise LatencyFileError(f"{source}: {_where(s, d, higher)} ({b} ms) is below "
                                   f"{_where(s, d, lower)} ({a} ms): percentiles must not decrease")
    return PairRtt(src, dst, values, _time(source, s, d, MEAN_KEY, row[MEAN_KEY]))


def _check_rows(source: str, table: dict[str, object]) -> None:
    """Every row is a known node with an object of known destinations."""
    expected = {(str(a), str(b)) for a, b in expected_pairs()}
    nodes = {a for a, _ in expected}
    for src, row in table.items():
        if src not in nodes:
            raise LatencyFileError(f"{source}: {_where(src)} is not a node index of the file (0-13)")
        if not isinstance(row, dict):
            raise LatencyFileError(f"{source}: {_where(src)} must be an object keyed by destination, got {row!r}")
        for dst in row:
            if (src, dst) not in expected:
                raise LatencyFileError(f"{source}: {_where(src, str(dst))} is not a pair the file measures "
                                       f"(regions 0-7, zones 8-10 and hosts 11-13, each among themselves)")


def parse_rtt(data: object, source: str = "<data>") -> RttTable:
    """Check decoded JSON and return its :class:`RttTable`; a :class:`LatencyFileError` names
    ``source`` and the first key that is missing, unknown, not a positive number, or out of order."""
    if not isinstance(data, dict) or not isinstance(data.get("pctiles"), dict):
        raise LatencyFileError(f'{source}: the top level must be an object with a "pctiles" object')
    table: dict[str, object] = data["pctiles"]
    _check_rows(source, table)
    pairs: dict[tuple[int, int], PairRtt] = {}
    for src, dst in expected_pairs():
        row = table.get(str(src))
        if not isinstance(row, dict):
            group = "region 0-7" if src in REGION_NODES else "node 8-13"
            raise LatencyFileError(f"{source}: {_where(str(src))} is missing: every {group} needs a row")
        if str(dst) not in row:
            raise LatencyFileError(f"{source}: {_where(str(src), str(dst))} is missing")
        pairs[(src, dst)] = _pair(source, src, dst, row[str(dst)])
    return RttTable(pairs, source)


def load_rtt(path: str | Path | None = None) -> RttTable:
    """Read and check a latency file (default: the shipped copy of Bailis's measurements)."""
    if path is None:
        return default_table()
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise LatencyFileError(f"{source}: cannot be read ({e.strerror or e})") from e
    return _decode(text, source)


def _decode(text: str, source: str) -> RttTable:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise LatencyFileError(f"{source}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from e
    except ValueError as e:
        raise LatencyFileError(f"{source}: {e}") from e
    return parse_rtt(data, source)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a time (JSON has no NaN or Infinity)")


@cache
def default_table() -> RttTable:
    """The shipped measurements (read and checked once per process)."""
    text = resources.files("distlab.geo").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return _decode(text, DATA_FILE)
