"""The shipped latency file: an exact copy of Bailis's, read and checked; broken copies are refused
with an error that names the file and the key."""
import copy
import doctest
import hashlib
import json
from importlib import resources

import pytest

from distlab.geo import latency_data
from distlab.geo.latency_data import LatencyFileError, expected_pairs, load_rtt, parse_rtt

# sha256 of ping-pctiles.json as published with "Communication Costs in Real-world Networks" (2013)
PUBLISHED_SHA256 = "1591d1c6229b90add515e525de238fc009f8e32f620a51aea30f5ff06cd2b222"


def shipped() -> dict:
    return json.loads(resources.files("distlab.geo").joinpath(latency_data.DATA_FILE).read_text())


def test_doctests():
    assert doctest.testmod(latency_data).failed == 0


def test_the_shipped_file_is_the_published_one_byte_for_byte():
    data = resources.files("distlab.geo").joinpath(latency_data.DATA_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == PUBLISHED_SHA256


def test_the_shipped_file_loads_with_the_readmes_check_values():
    table = load_rtt()
    assert len(table.pairs) == len(expected_pairs()) == 56 + 6 + 6
    assert table.pair(0, 1).median == 80.9          # Virginia-Oregon
    assert table.pair(3, 6).median == 349.0         # Ireland-Sydney
    assert all(0.8 < table.pair(a, b).median < 2.0 for a in (8, 9, 10) for b in (8, 9, 10) if a != b)
    assert all(table.pair(a, b).median < 0.5 for a in (11, 12, 13) for b in (11, 12, 13) if a != b)
    assert table.pair(11, 12).values[-1] > 80        # same zone, p99.999 over 80 ms


def test_a_file_on_disk_loads_like_the_shipped_one(tmp_path):
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(shipped()))
    assert load_rtt(path).pairs == load_rtt().pairs


def broken(edit) -> dict:
    data = copy.deepcopy(shipped())
    edit(data["pctiles"])
    return data


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.pop("3"), 'pctiles["3"] is missing: every region 0-7 needs a row'),
    (lambda t: t.pop("9"), 'pctiles["9"] is missing'),
    (lambda t: t["0"].pop("5"), 'pctiles["0"]["5"] is missing'),
    (lambda t: t["0"]["1"].pop("0.99"), 'pctiles["0"]["1"]["0.99"] is missing'),
    (lambda t: t["0"]["1"].pop("avg"), 'pctiles["0"]["1"]["avg"] is missing'),
    (lambda t: t["2"]["4"].update({"0.5": "fast"}), 'pctiles["2"]["4"]["0.5"] must be a finite number'),
    (lambda t: t["2"]["4"].update({"0.95": -3}), 'pctiles["2"]["4"]["0.95"] must be a finite number'),
    (lambda t: t["2"]["4"].update({"avg": 0}), 'pctiles["2"]["4"]["avg"] must be a finite number'),
    (lambda t: t["2"]["4"].update({"0.75": True}), 'pctiles["2"]["4"]["0.75"] must be a finite number'),
    (lambda t: t["1"]["0"].update({"0.99": 1.0}),
     'pctiles["1"]["0"]["0.99"] (1.0 ms) is below pctiles["1"]["0"]["0.95"]'),
    (lambda t: t["1"]["0"].update({"p42": 1.0}), 'pctiles["1"]["0"]["p42"] is not a known key'),
    (lambda t: t.update({"14": {}}), 'pctiles["14"] is not a node index'),
    (lambda t: t["0"].update({"8": t["8"]["9"]}), 'pctiles["0"]["8"] is not a pair the file measures'),
    (lambda t: t.update({"5": [1, 2]}), 'pctiles["5"] must be an object'),
    (lambda t: t["5"].update({"6": 145.0}), 'pctiles["5"]["6"] must be an object of percentiles'),
])
def test_a_broken_copy_is_refused_naming_the_key(tmp_path, edit, message):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken(edit)))
    with pytest.raises(LatencyFileError) as err:
        load_rtt(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ("", "not valid JSON"),
    ("[]", 'the top level must be an object with a "pctiles" object'),
    ('{"pctiles": []}', 'the top level must be an object with a "pctiles" object'),
    ('{"rtt": {}}', 'the top level must be an object with a "pctiles" object'),
])
def test_a_file_that_is_not_the_format_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(LatencyFileError, match=message):
        load_rtt(path)


def test_nan_and_infinity_are_refused(tmp_path):
    text = json.dumps(shipped()).replace('"0.5": 80.9', '"0.5": NaN', 1)
    path = tmp_path / "nan.json"
    path.write_text(text)
    with pytest.raises(LatencyFileError, match="NaN is not a time"):
        load_rtt(path)


def test_a_missing_file_is_a_latency_file_error(tmp_path):
    with pytest.raises(LatencyFileError, match="cannot be read"):
        load_rtt(tmp_path / "nowhere.json")


def test_parse_names_its_source():
    with pytest.raises(LatencyFileError, match=r"^mine\.json: "):
        parse_rtt({"pctiles": {"0": {}}}, "mine.json")
