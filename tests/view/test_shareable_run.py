"""A shareable run of chapter 2's cluster lab: exported as a short JSON string of its inputs
(settings, actions at their frames, frame count, frame on screen), loaded back into exactly the
same frames; bad strings refused with a message naming what is wrong; the panel's export / import."""
import json

import pytest
from hypothesis import event, given, settings, strategies as st

from distlab.view import consensus as cv, raft_lab_inputs
from distlab.view.raft_lab import FRAME, ClusterLab, RunFormatError, Settings
from distlab.view.raft_lab_inputs import MAX_MESSAGE, Action, SharedRun, dump_run, parse_run

EXAMPLE = ('{"distlab_run":1,"settings":{"nodes":5,"timeout_ms":[150,300],"latency_ms":5.0,"loss":0.0,'
           '"seed":0},"actions":[[101,"request"],[152,"crash",1],[203,"run"],[253,"split"],[285,"heal"],'
           '[336,"restart",1]],"frames":387,"frame":150}')


def example_lab() -> ClusterLab:
    """Requests, a crash, a partition, a fork back into the partition, a heal and a restart."""
    lab = ClusterLab(seed=0)
    for action, pid in [("request", None), ("crash", 1), ("run", None), ("split", None)]:
        lab.act(action, pid)
    lab.fork(len(lab.frames) - 20)
    lab.act("heal")
    lab.act("restart", 1)
    return lab


def assert_same_run(a: ClusterLab, b: ClusterLab) -> None:
    assert b.frames == a.frames  # every frame, notes and verdicts included
    assert (b.settings, b.actions, b.note, b.requests, b.shown) == (a.settings, a.actions, a.note,
                                                                     a.requests, a.shown)


# ----------------------------------------------------------------------------- the format
def test_a_run_exports_to_a_short_versioned_string_of_its_inputs():
    lab = example_lab()
    text = lab.to_json(frame=150)
    assert text == EXAMPLE and len(text) == 226
    doc = json.loads(text)
    assert doc["distlab_run"] == 1 and doc["frames"] == len(lab.frames)
    assert list(doc) == ["distlab_run", "settings", "actions", "frames", "frame"]  # inputs, never frames
    assert lab.to_json() == EXAMPLE.replace('"frame":150', f'"frame":{len(lab.frames) - 1}')


def test_loading_replays_every_frame_and_lands_on_the_senders_frame():
    lab = example_lab()
    loaded = ClusterLab.from_json(lab.to_json(frame=150))
    assert loaded.frames == lab.frames and loaded.shown == 150
    assert loaded.to_json() == EXAMPLE
    lab.shown = 150
    assert_same_run(lab, loaded)


def test_a_loaded_run_goes_on_exactly_as_the_original_would():
    lab, loaded = example_lab(), ClusterLab.from_json(example_lab().to_json())
    for twin in (lab, loaded):
        twin.act("request")
        twin.fork(len(twin.frames) - 7)
        twin.act("isolate", 2, run=0.2)
    assert_same_run(lab, loaded)


def test_a_forked_run_exports_the_branch_on_screen():
    lab = ClusterLab(seed=2)
    lab.act("crash", 0)
    lab.act("request")
    crash_frame = lab.actions[0].frame
    lab.fork(crash_frame + 3)  # back to just after the crash: the request is dropped
    lab.act("heal")
    run = parse_run(lab.to_json())
    assert [a.name for a in run.actions] == ["crash", "heal"]
    assert run.actions[1].frame == crash_frame + 4 and run.frames == len(lab.frames)
    assert_same_run(lab, ClusterLab.from_json(lab.to_json()))


@pytest.mark.parametrize("back", [0, 1, 60])
def test_forks_to_the_start_to_an_action_frame_and_into_the_warmup_round_trip(back):
    lab = ClusterLab(nodes=3, seed=1)
    lab.act("request")
    index = {0: 0, 1: lab.actions[0].frame, 60: 60}[back]
    lab.fork(index)
    lab.act("crash", 2, run=0.1)
    assert_same_run(lab, ClusterLab.from_json(lab.to_json()))


def test_a_run_action_and_an_action_at_the_same_frame_round_trip():
    lab = ClusterLab(nodes=3, seed=0)
    lab.apply("run")     # only resets the note: no frame of its own
    lab.apply("crash", 1)
    lab.run(0.05)
    assert [a.frame for a in lab.actions] == [101, 101]
    assert_same_run(lab, ClusterLab.from_json(lab.to_json()))


def test_a_settings_change_starts_a_new_run_with_no_actions():
    lab = example_lab()
    lab.configure(latency_ms=20)
    assert lab.actions == [] and parse_run(lab.to_json()).settings.latency_ms == 20.0
    assert_same_run(lab, ClusterLab.from_json(lab.to_json()))


def test_a_hand_written_run_may_leave_out_defaults():
    lab = ClusterLab.from_json('{"distlab_run":1,"settings":{"seed":3},"actions":[[50,"crash",4]],"frames":90}')
    assert lab.settings == Settings(seed=3) and lab.shown == 89 and len(lab.frames) == 90
    assert not lab.frames[-1]["nodes"][4]["up"] and lab.frames[50]["note"] == "server 4 crashed"


# ----------------------------------------------------------------------------- bad strings
VALID = json.loads(EXAMPLE)


def variant(**changes):
    doc = {**VALID, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not None})


@pytest.mark.parametrize("text, words", [
    ("", "the string is empty"), ("distlab", r'not a run string \(it should start with \{"distlab_run":\); Expecting'),
    ('{"distlab_run":1,', "not a run string"), ("'" + EXAMPLE + '"', "not a run string"),
    ("[1, 2]", 'not an object with a "distlab_run" field'), ("{}", '"distlab_run"'),
    (variant(distlab_run=None), '"distlab_run"'), (variant(distlab_run=2), "version 2 is not supported"),
    (variant(distlab_run="1"), "version '1'"), (variant(distlab_run=True), "version True"),
    (variant(frames=None), 'missing field "frames"'), (variant(frmae=3), "unknown field 'frmae'"),
    (variant(actions=[[120, "explode"]]), r"actions\[0\] \[120, \"explode\"\]: action must be one of crash"),
    (variant(actions=[[120, "crash", 5]]), r"'crash' needs a server of this 5-server cluster \(0-4\), got 5"),
    (variant(actions=[[120, "crash", -1]]), "got -1"), (variant(actions=[[120, "crash", "1"]]), "got '1'"),
    (variant(actions=[[120, "crash"]]), "'crash' acts on one server and none was given"),
    (variant(actions=[[120, "heal", 1]]), "'heal' acts on the whole cluster and takes no server"),
    (variant(actions=[[120, "crash", 1, 2]]), r"actions\[0\] must be \[frame, action\]"),
    (variant(actions=[120, "crash"]), r"actions\[0\] must be"), (variant(actions={"a": 1}), "actions must be"),
    (variant(actions=[[0, "heal"]]), "frame must be a whole number >= 1"),
    (variant(actions=[[1.5, "heal"]]), "frame must be a whole number"),
    (variant(actions=[[120, "heal"], [120, "heal"]]), r"actions\[1\] at frame 120 is too early"),
    (variant(actions=[[120, "heal"], [110, "heal"]]), r"actions\[1\] at frame 110"),
    (variant(actions=[[400, "heal"]]), "frames must be at least 401"),
    (variant(frames=0), "frames must be a whole number >= 1"),
    (variant(frames=30_001), r"at most 300 s \(30,000 frames\) and this one holds 300.01 s \(30,001 frames\)"),
    (variant(frames="387"), "frames must be"), (variant(frame=387), "frame must be one of the run's frames, 0 to 386"),
    (variant(frame=-1), "got -1"), (variant(frame=2.0), "got 2.0"),
    (variant(settings={"nodes": 4}), "settings: nodes must be one of"),
    (variant(settings={"nodes": 5.0}), "settings: nodes must be one of"),
    (variant(settings={"nodes": 3}, actions=[[120, "crash", 4]]),
     r"needs a server of this 3-server cluster \(0-2\)"),
    (variant(settings={"timeout_ms": [5, 300]}), "settings: timeout_ms low"),
    (variant(settings={"timeout_ms": [300, 150]}), "settings: timeout_ms high"),
    (variant(settings={"timeout_ms": 150}), "settings: timeout_ms must be a"),
    (variant(settings={"timeout_ms": [150.7, 300]}), "settings: timeout_ms low must be whole milliseconds, got 150.7"),
    (variant(settings={"timeout_ms": [150, 300.5]}), "settings: timeout_ms high must be whole milliseconds"),
    (variant(settings={"latency_ms": 0}), "settings: latency_ms"),
    (variant(settings={"latency_ms": "5"}), "latency_ms"),
    (variant(settings={"loss": 0.9}), "settings: loss"), (variant(settings={"seed": -1}), "settings: seed"),
    (variant(settings={"seed": 1.5}), "settings: seed"), (variant(settings={"los": 0.1}), "unknown setting 'los'"),
    (variant(settings=[5]), "settings must be a JSON object"),
    ('{"distlab_run":1,"frames":10,"settings":{"loss":NaN}}', "settings: loss"),
    ("[" * 100_000, "not a run string"),
])
def test_bad_strings_are_refused_naming_what_is_wrong(text, words):
    with pytest.raises(RunFormatError, match=words):
        ClusterLab.from_json(text)


def test_refusals_are_value_errors_and_stay_short():
    with pytest.raises(ValueError, match=r"not a run string.*a run is a str, got NoneType"):
        ClusterLab.from_json(None)
    with pytest.raises(RunFormatError) as caught:
        ClusterLab.from_json(variant(actions=[[120, "x" * 10_000]]))
    assert len(str(caught.value)) == MAX_MESSAGE and str(caught.value).endswith("…")


def test_runs_too_long_to_replay_quickly_are_not_exported(monkeypatch):
    monkeypatch.setattr(raft_lab_inputs, "MAX_FRAMES", 150)
    lab = ClusterLab(seed=0)
    assert parse_run(lab.to_json()).frames == 101
    lab.run(1.0)
    with pytest.raises(RunFormatError, match=r"^a shared run may hold at most 1.5 s \(150 frames\) and this one "
                                             r"holds 2.01 s \(201 frames\); fork at an earlier frame to share "
                                             "the part that matters$"):
        lab.to_json()


def test_a_hand_built_run_is_checked_before_anything_is_replayed():
    lab = ClusterLab(seed=0)
    before = list(lab.frames)
    for bad in [SharedRun(Settings(), (Action(120, "crash", 7),), 200, 0),
                SharedRun(Settings(nodes=4), (), 200, 0), SharedRun(Settings(), (), 200, 200)]:
        with pytest.raises(RunFormatError):
            lab.replay(bad)
        assert lab.frames == before


# ----------------------------------------------------------------------------- properties
ACTION = st.one_of(
    st.tuples(st.sampled_from(["crash", "restart", "isolate", "reconnect"]), st.integers(0, 6)),
    st.tuples(st.sampled_from(["split", "heal", "request", "run"]), st.none()))
STEP = st.one_of(st.tuples(st.just("act"), ACTION, st.integers(1, 25)),   # run on 1-25 frames
                 st.tuples(st.just("fork"), st.integers(0, 60), st.none()))  # go back 0-60 frames


@settings(max_examples=40)
@given(st.builds(Settings, nodes=st.sampled_from([3, 5, 7]), timeout_ms=st.sampled_from([(50, 100), (150, 300)]),
                 latency_ms=st.integers(1, 30).map(float), loss=st.sampled_from([0.0, 0.1]),
                 seed=st.integers(0, 5)),
       st.lists(STEP, max_size=8), st.data())
def test_random_schedules_export_and_load_to_identical_frames(s, steps, data):
    lab = ClusterLab(**s._asdict())
    for kind, what, frames in steps:
        if kind == "fork":
            lab.fork(max(0, len(lab.frames) - 1 - what))
        else:
            action, pid = what
            lab.act(action, None if pid is None else pid % s.nodes, run=frames * FRAME)
    frame = data.draw(st.integers(0, len(lab.frames) - 1))
    text = lab.to_json(frame=frame)
    loaded = ClusterLab.from_json(text)
    assert loaded.frames == lab.frames and loaded.shown == frame
    assert loaded.to_json() == text  # export(load(s)) == s
    assert dump_run(parse_run(text)) == text


JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 500) | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)


@settings(max_examples=200)
@given(st.sampled_from(list(VALID) + ["actions.0", "actions.0.0", "actions.0.1", "actions.0.2", "settings.nodes",
                                      "settings.timeout_ms", "settings.seed"]), JSON)
def test_any_damaged_string_is_refused_cleanly_or_replays(path, value):
    doc = json.loads(EXAMPLE)
    doc["frames"], doc["frame"] = 200, 150  # short, so a string that happens to be valid replays fast
    doc["actions"] = doc["actions"][:2]
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last):int(last) + 1] = [value]  # actions.0.2 adds a server to [101, "request"]
    else:
        target[last] = value
    try:
        run = parse_run(json.dumps(doc))
    except RunFormatError as exc:
        assert str(exc) and len(str(exc)) <= MAX_MESSAGE
        event("refused")
        return
    event("valid")
    if run.frames <= 600:
        assert ClusterLab.from_run(run).to_json() == dump_run(run)


# ----------------------------------------------------------------------------- the panel
def test_export_button_fills_a_read_only_box_with_the_run_on_screen():
    view = cv.cluster_lab(seed=0)
    view.press("request")
    view.press("crash", 1)
    view.replay.player.seek(130)
    view.share.export_button.click()
    text = view.share.export_box.value
    assert text == view.lab.to_json(frame=130) and parse_run(text).frame == 130
    assert f"{len(text)} characters" in view.status.value
    view.share.export_box.value = "edited"  # read-only: the string comes back
    assert view.share.export_box.value == text
    view.press("heal")  # the run changed: the old string no longer describes it
    assert view.share.export_box.value == "" and view.share.exported == ""


def test_import_button_replays_the_senders_run_on_the_senders_frame():
    sender = cv.cluster_lab(nodes=7, latency_ms=20, loss=0.1, seed=4)
    sender.press("request")
    sender.press("isolate", 6)
    sender.replay.player.seek(170)
    text = sender.export_run()
    receiver = cv.cluster_lab(nodes=3, seed=0)
    count = receiver.panel.render_count
    receiver.share.import_box.value = text
    receiver.share.import_button.click()
    assert "imported" in receiver.status.value and receiver.panel.render_count == count + 1
    assert receiver.lab.frames == sender.lab.frames and receiver.replay.player.index == 170
    assert receiver.panel.last_png == sender.panel.last_png
    assert receiver.replay.badges.widget.value == sender.replay.badges.widget.value
    assert [c.value for c in receiver.controls.values()] == [7, (150, 300), 20, 0.1]
    assert len(receiver.node_buttons.children) == 7 and receiver.settings == sender.settings
    receiver.controls["latency_ms"].value = 5  # the sliders drive the imported run's settings
    receiver.confirm.yes.click()  # ... once confirmed: the imported run holds actions
    assert receiver.settings["seed"] == 4 and receiver.lab.actions == []
    assert len(receiver.lab.frames) == 101 and receiver.replay.player.index == 100


def test_acting_on_an_imported_run_forks_it_at_the_frame_on_screen():
    sender = cv.cluster_lab(seed=1)
    sender.press("request")
    sender.replay.player.seek(120)
    receiver = cv.cluster_lab(run=sender.export_run())
    assert receiver.replay.player.index == 120
    receiver.press("crash", 0)
    sender.press("crash", 0)
    assert receiver.lab.frames == sender.lab.frames and receiver.panel.last_png == sender.panel.last_png


@pytest.mark.parametrize("text, words", [
    ("", "the string is empty"), ("hello", "not a run string"), ('{"distlab_run":3,"frames":5}', "version 3"),
    ('{\u201cdistlab_run\u201d:1,\u201cframes\u201d:5}', "curly quotes"),
    ('{"distlab_run":1,"frames":200,"actions":[[120,"crash",9]]}', "needs a server"),
    ('{"distlab_run":1,"frames":200,"actions":[[120,"request",1]]}', "takes no server"),
    ('{"distlab_run":1,"frames":200,"actions":[[120,"<b>x</b>"]]}', "&lt;b&gt;x&lt;/b&gt;"),
    ('{"distlab_run":1,"frames":200,"settings":{"timeout_ms":[150,800]}}', "slider reaches 500 ms"),
    ('{"distlab_run":1,"frames":200,"settings":{"latency_ms":80}}', "whole milliseconds up to 50"),
    ('{"distlab_run":1,"frames":200,"settings":{"latency_ms":2.5}}', "2.5 ms"),
])
def test_a_bad_string_changes_nothing_but_the_status_line(text, words):
    view = cv.cluster_lab(nodes=3, seed=0)
    view.press("request")
    state = (view.lab, list(view.lab.frames), view.panel.last_png, view.panel.render_count,
             [c.value for c in view.controls.values()], view.node_buttons.children, view.replay.player.index)
    assert view.import_run(text) is False
    assert "Not imported" in view.status.value and words in view.status.value
    assert state == (view.lab, view.lab.frames, view.panel.last_png, view.panel.render_count,
                     [c.value for c in view.controls.values()], view.node_buttons.children,
                     view.replay.player.index)


def test_the_panel_refuses_settings_its_sliders_cannot_show():
    with pytest.raises(ValueError, match="slider reaches 500 ms"):
        cv.cluster_lab(timeout_ms=(150, 800))
    with pytest.raises(RunFormatError, match="version"):
        cv.cluster_lab(run='{"distlab_run":0}')
    assert ClusterLab(timeout_ms=(150, 800)).to_json()  # the plain lab takes them


def test_the_share_row_sits_between_the_actions_and_the_status_line():
    view = cv.cluster_lab(seed=0)
    children = view.widget.children
    assert children[2].children[0].description == "client request"
    assert children[3] is view.share.widget and children[4] is view.status


# ----------------------------------------------------------------------------- the learner review (#15)
@pytest.mark.parametrize("settings", [{"nodes": 3}, {"seed": 7}, {"nodes": 3, "seed": 7}, {"timeout_ms": (50, 100)},
                                      {"latency_ms": 5}, {"loss": 0.0}])
def test_settings_passed_with_a_run_are_refused_not_ignored(settings):
    with pytest.raises(ValueError, match=r"^the run carries its own settings \(its seed too\): pass "
                                         rf"cluster_lab\(run=\.\.\.\) alone, without {', '.join(settings)}$"):
        cv.cluster_lab(run=EXAMPLE, **settings)


def test_cluster_lab_takes_settings_or_a_run():
    assert cv.cluster_lab().settings == Settings()._asdict()
    assert cv.cluster_lab(nodes=3, seed=7).settings == Settings(nodes=3, seed=7)._asdict()
    view = cv.cluster_lab(run=EXAMPLE)
    assert view.lab.to_json() == EXAMPLE and view.replay.player.index == 150


@pytest.mark.parametrize("call", ["act", "apply"])
@pytest.mark.parametrize("action, pid, words", [
    ("request", 3, r"^'request' acts on the whole cluster and takes no server, got 3$"),
    ("heal", 0, "'heal' acts on the whole cluster and takes no server, got 0"),
    ("run", 1, "'run' acts on the whole cluster"), ("split", 2, "'split' acts on the whole cluster"),
    ("crash", None, r"^'crash' acts on one server and none was given: name a server of this 3-server cluster \(0-2\)$"),
    ("reconnect", None, "'reconnect' acts on one server and none was given"),
    ("isolate", 3, r"'isolate' needs a server of this 3-server cluster \(0-2\), got 3"),
    ("restart", True, "got True"),
])
def test_an_action_given_the_wrong_kind_of_target_is_refused_and_not_recorded(call, action, pid, words):
    lab = ClusterLab(nodes=3, seed=0)
    before = (list(lab.frames), list(lab.actions), lab.to_json())
    with pytest.raises(ValueError, match=words):
        getattr(lab, call)(action, pid)
    assert (lab.frames, lab.actions, lab.to_json()) == before


def test_action_refusals_match_between_the_lab_and_a_loaded_run():
    for action, pid in [("request", 3), ("crash", None), ("crash", 9)]:
        with pytest.raises(ValueError) as live:
            ClusterLab(seed=0).apply(action, pid)
        with pytest.raises(RunFormatError) as loaded:
            ClusterLab.from_json(variant(actions=[[120, action] + ([] if pid is None else [pid])]))
        assert str(loaded.value).endswith(f": {live.value}")


def test_messages_name_servers_not_pids():
    lab = ClusterLab(nodes=3, seed=0)
    texts = [variant(actions=[[120, "crash", 9]]), variant(actions=[[120, "crash"]]),
             variant(actions=[[120, "heal", 1]]), variant(settings={"nodes": 3}, actions=[[120, "crash", 4]])]
    messages = []
    for text in texts:
        with pytest.raises(RunFormatError) as caught:
            ClusterLab.from_json(text)
        messages.append(str(caught.value))
    for args in [("crash", 9), ("crash", None), ("heal", 1), ("crash", "1")]:
        with pytest.raises(ValueError) as caught:
            lab.act(*args)
        messages.append(str(caught.value))
    assert all("server" in m and "pid" not in m for m in messages), messages


def test_a_run_too_long_to_share_says_why_and_what_to_do():
    lab = ClusterLab(seed=0)
    lab.run(298.99)  # 101 + 29,899 frames: 300 s exactly is shareable
    assert parse_run(lab.to_json()).frames == 30_000
    lab.run(0.01)
    with pytest.raises(RunFormatError) as caught:
        lab.to_json()
    assert str(caught.value) == ("a shared run may hold at most 300 s (30,000 frames) and this one holds 300.01 s "
                                 "(30,001 frames); fork at an earlier frame to share the part that matters")


def test_the_panel_says_why_a_long_run_is_not_exported(monkeypatch):
    monkeypatch.setattr(raft_lab_inputs, "MAX_FRAMES", 150)
    view = cv.cluster_lab(seed=0)
    view.press("request")
    view.press("run")
    assert view.export_run() == "" and view.share.exported == ""
    assert view.status.value.startswith("<b>Not exported:</b> a shared run may hold at most 1.5 s (150 frames)")
    assert "fork at an earlier frame" in view.status.value
    view.lab.fork(120)
    view.replay.player.seek(120)
    assert parse_run(view.export_run()).frames == 121  # forked: the part that matters is shareable


@pytest.mark.parametrize("wrap", [
    lambda s: f"'{s}'", lambda s: f'"{s}"', lambda s: f"  '{s}'\n", lambda s: f"\n{s}  ", lambda s: f"' {s} '",
    lambda s: repr(s)])
def test_a_run_pasted_with_the_quotes_jupyter_shows_loads(wrap):
    assert ClusterLab.from_json(wrap(EXAMPLE)).to_json() == EXAMPLE
    assert dump_run(parse_run(wrap(EXAMPLE))) == EXAMPLE


@pytest.mark.parametrize("text", [
    "''" + EXAMPLE + "''",               # two pairs: only one is taken off
    "'" + EXAMPLE + '"',                 # quotes that do not match
    "`" + EXAMPLE + "`",                 # not a quote a str is shown with
])
def test_only_one_pair_of_matching_straight_quotes_is_taken_off(text):
    with pytest.raises(RunFormatError, match=r'^not a run string \(it should start with \{"distlab_run":\); '):
        ClusterLab.from_json(text)


CURLY = "the string has curly quotes (“ ”) — copy it again from the export box, or replace them with straight quotes"


@pytest.mark.parametrize("text", [
    EXAMPLE.replace('"', "“", 1).replace('"', "”", 1),              # a chat app's “distlab_run”
    "“" + EXAMPLE.replace('"', "”") + "”", "‘" + EXAMPLE + "’", "'" + EXAMPLE.replace('"', "”") + "'",
])
def test_curly_quotes_are_named_as_such(text):
    with pytest.raises(RunFormatError) as caught:
        ClusterLab.from_json(text)
    assert str(caught.value) == CURLY


def test_the_panel_imports_a_quoted_run_and_names_curly_quotes():
    view = cv.cluster_lab(nodes=3, seed=0)
    assert view.import_run(f"'{EXAMPLE}'") is True and view.lab.to_json() == EXAMPLE
    assert view.import_run(EXAMPLE.replace('"', "“")) is False
    assert view.status.value == f"<b>Not imported:</b> {CURLY}"


@pytest.mark.parametrize("timeout, words", [
    ((150.7, 300), "timeout_ms low must be whole milliseconds, got 150.7"),
    ((150, 299.5), "timeout_ms high must be whole milliseconds, got 299.5"),
    ((float("nan"), 300), "timeout_ms low"),
])
def test_fractions_of_a_millisecond_in_the_timeout_are_refused_not_truncated(timeout, words):
    with pytest.raises(ValueError, match=words):
        ClusterLab(timeout_ms=timeout)
    with pytest.raises(ValueError, match=words):
        cv.cluster_lab(timeout_ms=timeout)
    with pytest.raises(RunFormatError, match=f"settings: {words}"):
        ClusterLab.from_json(variant(settings={"timeout_ms": list(timeout)}))
    lab = ClusterLab(seed=0)
    with pytest.raises(ValueError, match=words):
        lab.configure(timeout_ms=timeout)
    assert lab.settings == Settings()


def test_whole_milliseconds_written_as_floats_are_whole():
    assert ClusterLab(timeout_ms=(150.0, 300.0)).frames == ClusterLab().frames
    assert ClusterLab.from_json(variant(settings={"timeout_ms": [150.0, 300.0]})).to_json() == EXAMPLE


def test_an_unknown_setting_is_refused_by_name():
    lab = ClusterLab(seed=0)
    with pytest.raises(ValueError, match=r"^unknown setting 'node' \(known: nodes, timeout_ms, latency_ms, "
                                         r"loss, seed\)$"):
        lab.configure(node=3)
    assert lab.settings == Settings()


@pytest.mark.parametrize("presses, export_words, import_words", [
    ([], "(0 actions,", "101 frames and 0 actions"),
    ([("request", None)], "(1 action,", "152 frames and 1 action,"),
    ([("request", None), ("crash", 1)], "(2 actions,", "203 frames and 2 actions"),
])
def test_counts_in_the_status_line_are_pluralised(presses, export_words, import_words):
    view = cv.cluster_lab(seed=0)
    for action, pid in presses:
        view.press(action, pid)
    text = view.export_run()
    assert export_words in view.status.value
    assert view.import_run(text) and f"imported a run of {import_words}" in view.status.value
    assert " 1 actions" not in view.status.value


def test_counted_words():
    from distlab.view.raft_lab_panel import counted
    assert [counted(n, "frame") for n in (0, 1, 2, 21)] == ["0 frames", "1 frame", "2 frames", "21 frames"]
