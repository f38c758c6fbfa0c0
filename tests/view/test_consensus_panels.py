"""Chapter 2's panels (`distlab.view.consensus`), driven without a kernel: set a control, assert
the frames / figure / HTML reflect it; bad values are refused with the parameter's name."""
import pytest

from distlab.consensus.quiz import QUIZ
from distlab.view import consensus as cv
from distlab.view.consensus_logs import LogRow, visible_range
from distlab.view.raft_lab import FRAME, WARMUP, ClusterLab, capture, check_settings, frame_picture
from distlab.view.timing import measure_updates

SAFETY = {"election_safety", "leader_append_only", "log_matching", "leader_completeness",
          "state_machine_safety"}


# ----------------------------------------------------------------------------- settings
@pytest.mark.parametrize("bad, word", [
    ({"nodes": 4}, "nodes"), ({"nodes": True}, "nodes"), ({"timeout_ms": (5, 300)}, "timeout_ms low"),
    ({"timeout_ms": (300, 150)}, "timeout_ms high"), ({"timeout_ms": 150}, "timeout_ms"),
    ({"latency_ms": 0}, "latency_ms"), ({"latency_ms": 101}, "latency_ms"),
    ({"loss": -0.1}, "loss"), ({"loss": 0.6}, "loss"), ({"seed": -1}, "seed")])
def test_bad_settings_are_refused_naming_the_parameter(bad, word):
    with pytest.raises(ValueError, match=word):
        check_settings(**bad)
    with pytest.raises(ValueError, match=word):
        ClusterLab(**bad)


# ----------------------------------------------------------------------------- the lab
def test_a_lab_records_warmup_frames_elects_a_leader_and_checks_safety():
    lab = ClusterLab(nodes=5, seed=0)
    assert len(lab.frames) == 1 + round(WARMUP / FRAME)
    last = lab.frames[-1]
    assert [n["role"] for n in last["nodes"]].count("leader") == 1
    assert set(last["invariants"]) == SAFETY
    assert all(v is None for v in last["invariants"].values())
    followers = [n for n in last["nodes"] if n["role"] == "follower"]
    assert followers and all(0 <= n["timer_ms"] <= 300 for n in followers)


def test_same_settings_same_frames_and_other_seed_other_frames():
    a, b, c = ClusterLab(seed=3), ClusterLab(seed=3), ClusterLab(seed=4)
    assert a.frames == b.frames
    assert a.frames != c.frames


def test_requests_commit_on_a_majority_and_a_minority_leader_cannot_commit():
    lab = ClusterLab(nodes=5, seed=0)
    what = lab.act("request")
    assert "appended by leader" in what
    leader = lab.cluster.leader()
    assert all(n["commit"] == 1 for n in lab.frames[-1]["nodes"])
    lab.act("isolate", leader)
    what = lab.act("request")
    assert f"leader {leader}" in what  # the stale leader still believes it leads...
    lab.act("run", run=1.0)
    nodes = {n["pid"]: n for n in lab.frames[-1]["nodes"]}
    assert len(nodes[leader]["log"]) == 2 and nodes[leader]["commit"] == 1  # ...but cannot commit
    new = lab.cluster.leader()
    assert new is not None and new != leader
    assert lab.frames[-1]["blocked"]  # the cut links are in the frame
    lab.act("reconnect", leader)
    lab.act("run", run=1.0)
    assert all(v is None for v in lab.frames[-1]["invariants"].values())


def test_the_split_button_cuts_off_the_leader_with_one_follower():
    view = cv.cluster_lab(nodes=5, seed=0)
    leader = view.lab.cluster.leader()
    split = next(b for b in view.widget.children[2].children if b.description.startswith("partition"))
    split.click()
    assert "partition" in view.status.value and str(leader) in view.status.value
    assert len(view.replay.frame["blocked"]) == 2 * 2 * 3  # 2 x 3 servers, both ways
    view.press("request")
    view.press("run")
    roles = {n["pid"]: n["role"] for n in view.replay.frame["nodes"]}
    assert [p for p, r in roles.items() if r == "leader" and p != leader]  # majority re-elected


def test_a_request_with_every_server_down_is_refused_not_lost():
    lab = ClusterLab(nodes=3, seed=0)
    for p in lab.cluster.pids:
        lab.act("crash", p, run=FRAME)
    assert "refused" in lab.act("request")
    assert all(not n["up"] for n in lab.frames[-1]["nodes"])


def test_unknown_actions_and_servers_are_refused():
    lab = ClusterLab(nodes=3, seed=0)
    with pytest.raises(ValueError, match="action"):
        lab.act("explode")
    with pytest.raises(ValueError, match="server"):
        lab.act("crash", 9)
    with pytest.raises(ValueError, match="index"):
        lab.fork(len(lab.frames))


def test_fork_is_exact_the_rerun_reproduces_the_original_frames():
    lab = ClusterLab(nodes=5, seed=1)
    lab.act("request")
    original = list(lab.frames)
    action = next(i for i, f in enumerate(original) if f["note"].startswith("x1"))
    k = action + 27  # after the action frame, between two stored copies
    assert lab.fork(k) == original[:k + 1]
    lab.run(FRAME * (len(original) - k - 1))  # the frames carry the last action's note again
    assert lab.frames == original


@pytest.mark.parametrize("k", [0, 7, 99])
def test_fork_before_the_first_copy_rebuilds_the_start_exactly(k):
    lab = ClusterLab(nodes=5, latency_ms=20, seed=2)
    original = list(lab.frames)
    assert lab.checkpoints[0][0] is None  # the start is rebuilt from the settings, not copied
    assert lab.fork(k) == original[:k + 1]
    lab.run(FRAME * (len(original) - k - 1))
    assert [f["nodes"] for f in lab.frames] == [f["nodes"] for f in original]
    assert [f["msgs"] for f in lab.frames] == [f["msgs"] for f in original]


def test_frames_share_unchanged_parts_and_carry_what_the_drawing_needs():
    lab = ClusterLab(nodes=3, seed=0)
    lab.act("request")
    a, b = lab.frames[-2], lab.frames[-1]
    for n in b["nodes"]:
        assert {"pid", "role", "term", "up", "timer_ms", "log", "base", "commit"} <= set(n)
        assert isinstance(n["log"], tuple)
    assert all(x["log"] is y["log"] for x, y in zip(a["nodes"], b["nodes"]) if x["log"] == y["log"])
    assert b["invariants"] is a["invariants"] and b["blocked"] is a["blocked"]
    assert lab.frames[0]["nodes"][0]["log"] == ()
    assert all([command for _, command in n["log"]] == ["x1"] for n in b["nodes"])


def test_frame_picture_reflects_roles_crashes_and_messages():
    lab = ClusterLab(nodes=3, seed=0)
    leader = lab.cluster.leader()
    lab.act("crash", leader, run=FRAME)
    pic = frame_picture(lab.frames[-1])
    node = next(n for n in pic.nodes if n.id == str(leader))
    assert not node.up
    assert all("timer" in n.label for n in pic.nodes if n.up and n.role != "leader")
    assert frame_picture(capture(lab.cluster)).in_flight is not None


def test_frames_redrawn_into_one_figure_match_fresh_figures():
    """render_frame keeps artists between frames; any order of frames must still give the
    picture a fresh figure gives (roles, crashes, a partition, many messages, fewer servers)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from distlab.view.raft_lab import FRAME_SIZE, render_frame
    from distlab.view.style import DEFAULT_DPI, figure_png

    def figure(size=FRAME_SIZE):
        fig = Figure(figsize=size, dpi=DEFAULT_DPI)
        FigureCanvasAgg(fig)
        return fig

    frames = []
    for settings, script in [({"seed": 0}, [("request", None), ("crash", 1), ("split", None),
                                             ("heal", None), ("restart", 1)]),
                             ({"nodes": 3, "loss": 0.2, "latency_ms": 30, "seed": 3},
                              [("isolate", 2), ("request", None), ("reconnect", 2)])]:
        lab = ClusterLab(**settings)
        for action, pid in script:
            lab.act(action, pid, run=0.2)
        frames += lab.frames
    reused = figure()
    order = list(range(0, len(frames), 15)) + [len(frames) - 1, 0, 5, len(frames) - 40, 120, len(frames) // 2]
    for i in order:
        got = figure_png(render_frame(frames[i], fig=reused))
        assert got == figure_png(render_frame(frames[i], fig=figure())), i


# ----------------------------------------------------------------------------- the widget
def test_latency_slider_rebuilds_the_run_and_round_trips_to_the_same_png():
    view = cv.cluster_lab(seed=0)
    png, count = view.panel.last_png, view.panel.render_count
    view.controls["latency_ms"].value = 20
    assert view.settings["latency_ms"] == 20.0
    assert view.panel.render_count == count + 1  # exactly one redraw per change
    assert view.panel.last_png != png
    assert view.replay.player.index == len(view.lab.frames) - 1
    view.controls["latency_ms"].value = 5
    assert view.panel.last_png == png


def test_seek_after_a_latency_change_shows_the_same_picture_as_a_fresh_lab():
    view = cv.cluster_lab(seed=0)
    view.replay.player.seek(30)
    view.controls["latency_ms"].value = 20
    view.replay.player.seek(30)
    fresh = cv.cluster_lab(latency_ms=20, seed=0)
    fresh.replay.player.seek(30)
    assert view.panel.last_png == fresh.panel.last_png
    assert view.replay.badges.widget.value == fresh.replay.badges.widget.value


def test_node_buttons_are_kept_per_server_across_settings():
    view = cv.cluster_lab(nodes=5, seed=0)
    first = view.node_buttons.children[0]
    view.controls["latency_ms"].value = 20
    view.controls["nodes"].value = 3
    assert len(view.node_buttons.children) == 3 and view.node_buttons.children[0] is first
    view.node_buttons.children[2].children[0].click()  # "crash 2" acts on the 3-server run
    assert not view.replay.frame["nodes"][2]["up"] and len(view.replay.frame["nodes"]) == 3


def test_node_slider_rebuilds_buttons_and_timeout_slider_reaches_the_config():
    view = cv.cluster_lab(seed=0)
    view.controls["nodes"].value = 7
    assert len(view.node_buttons.children) == 7
    assert len(view.replay.frame["nodes"]) == 7
    view.controls["timeout_ms"].value = (150, 150)
    assert view.lab.cluster.config.election_timeout == (0.15, 0.15)
    assert view.replay.frame["nodes"][0]["role"] != "leader" or \
        [n["role"] for n in view.replay.frame["nodes"]].count("leader") <= 1


def test_buttons_act_and_act_at_the_frame_on_screen():
    view = cv.cluster_lab(nodes=3, seed=0)
    crash0 = view.node_buttons.children[0].children[0]
    assert crash0.description == "crash 0"
    n = len(view.lab.frames)
    crash0.click()
    assert not view.replay.frame["nodes"][0]["up"]
    assert "crashed" in view.status.value
    assert len(view.lab.frames) > n
    view.replay.player.seek(10)  # go back before the crash, and press "client request"
    view.press("request")
    assert len(view.lab.frames) < n + 60
    assert all(f["nodes"][0]["up"] for f in view.lab.frames)  # the crash was forked away


def test_fork_button_truncates_and_badges_follow_the_frame():
    view = cv.cluster_lab(nodes=5, seed=0)
    view.replay.player.seek(40)
    view.replay.player.fork_button.click()
    assert len(view.lab.frames) == 41
    assert view.replay.player.n_frames == 41
    assert "forked" in view.status.value
    assert "holds" in view.replay.badges.widget.value


def test_slider_redraw_is_fast_enough():
    view = cv.cluster_lab(seed=0)
    timing = measure_updates(view.replay.player.slider, [10, 20, 30, 40, 50, 60, 70, 80], warmup=2)
    assert timing["median_ms"] < 600  # budget 150 ms; generous here, the machine is shared


# ----------------------------------------------------------------------------- log grid
def test_log_grid_shows_the_newest_entries_at_a_fixed_width():
    rows = [LogRow("0", [(1, "a")] * 30, 25), LogRow("1", [(1, "a")] * 3, 3)]
    assert visible_range(rows, 16) == (15, 30)
    assert visible_range([LogRow("0", [], 0)], 16) == (1, 16)


# ----------------------------------------------------------------------------- experiments
def test_quorum_run_commits_with_f_down_and_stops_at_f_plus_one():
    run = cv.quorum_run(5, seed=0)
    t, c = run["times"], run["commits"]
    crash_times = [e[0] for e in run["events"] if e[1].startswith("crash")]
    restart = next(e[0] for e in run["events"] if e[1].startswith("restart"))
    at = lambda x: c[max(i for i, tt in enumerate(t) if tt <= x)]  # noqa: E731
    assert at(crash_times[2] - 0.05) > at(crash_times[1] + 0.1)       # 2 down: still commits
    assert at(restart - 0.05) == at(crash_times[2] + 0.2)              # 3 down: stuck
    assert at(t[-1]) > at(restart - 0.05)                               # restart: resumes
    fig = cv.render_quorum(run)
    assert "stop with 3" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="n must be"):
        cv.quorum_run(4)


def test_quorum_panel_follows_the_server_count():
    panel = cv.quorum_panel(n=5)
    assert "stop with 3" in panel.last_result.axes[0].get_title()
    panel.controls["n"].value = 7
    assert panel.last_config["n"] == 7
    assert "stop with 4" in panel.last_result.axes[0].get_title()


def test_partition_rolls_back_the_minority_entries_and_stays_safe():
    run = cv.partition_run(seed=0)
    assert run["rolled_back"] == [cmd for _, cmd in run["stale"]] and run["rolled_back"]
    assert run["log_after"][:1] == ["a"] and not set(run["rolled_back"]) & set(run["log_after"])
    assert all(v is None for v in run["invariants"].values())
    fig = cv.render_partition(run)
    assert "rolled back" in fig.axes[1].get_title()


def test_split_votes_with_equal_timeouts_and_a_leader_with_a_range():
    stuck, fine = cv.split_run(150, 150, seed=0), cv.split_run(150, 300, seed=0)
    assert stuck["elected"] is None and stuck["elections"] >= 10
    assert fine["elected"] is not None and fine["elections"] <= 3
    assert "every vote split" in cv.render_split(dict(low=150, high=150)).axes[0].get_title()
    with pytest.raises(ValueError, match="timeout range"):
        cv.split_run(300, 150)


def test_split_panel_sliders_reach_the_figure():
    panel = cv.split_panel(low=150, high=150)
    assert "every vote split" in panel.last_result.axes[0].get_title()
    panel.controls["high"].value = 300
    assert panel.last_config["high"] == 300
    assert "leader in term 1, after" in panel.last_result.axes[0].get_title()


def test_split_panel_low_never_passes_high():
    panel = cv.split_panel(low=150, high=155)
    count = panel.render_count
    panel.controls["low"].value = 299                      # past high: high is pushed along
    assert (panel.controls["low"].value, panel.controls["high"].value) == (299, 299)
    assert panel.last_error is None and panel.render_count == count + 1   # one redraw, no error
    panel.controls["high"].value = 200                     # below low: low is pulled down
    assert (panel.last_config["low"], panel.last_config["high"]) == (200, 200) and panel.last_error is None
    for control in ("low", "high"):                        # a sweep of either slider never errs
        for value in (50, 120, 300):
            panel.controls[control].value = value
            assert panel.last_error is None and panel.last_config["low"] <= panel.last_config["high"]
    with pytest.raises(ValueError, match="low=300, high=200"):
        cv.split_panel(low=300, high=200)


def test_split_panel_redraw_matches_a_fresh_figure_after_other_ranges():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from distlab.view.style import DEFAULT_DPI, DEFAULT_FIGSIZE, figure_png

    panel = cv.split_panel(low=150, high=150)  # many elections: a tall y range
    for low, high in [(150, 300), (50, 600), (150, 150), (290, 300)]:
        panel.controls["high"].value = high
        panel.controls["low"].value = low
        fresh = Figure(figsize=DEFAULT_FIGSIZE, dpi=DEFAULT_DPI)
        FigureCanvasAgg(fresh)
        cv.render_split(dict(low=low, high=high), fig=fresh)
        assert panel.last_png == figure_png(fresh), (low, high)


def test_fig16_table_and_plot_cover_every_range():
    data = cv.fig16_data(scale=0.01, seed=0)
    assert len(data) == 10 and all(len(v) >= 1 for v in data.values())
    table = cv.fig16_table(data)
    assert "150-155" in table and "12-24" in table
    fig = cv.render_fig16(data)
    assert len(fig.axes) == 2 and "Figure 16" in fig.axes[0].get_title()
    assert "0.06 %" in cv.split_vote_table() and "18.08 %" in cv.split_vote_table()


# ----------------------------------------------------------------------------- Paxos
def test_paxos_two_rounds_and_the_duel():
    fig = cv.render_sequence(dict(proposers=1, until_ms=22, timeout_ms=50))
    assert "chosen: v0" in fig.axes[0].get_title()
    labels = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert {"Prepare", "Promise", "Accept", "Accepted"} <= labels
    duel = cv.render_sequence(dict(proposers=2, until_ms=40, timeout_ms=15, second_start_ms=7.5))
    assert "nothing chosen" in duel.axes[0].get_title()
    table = cv.duel_table()
    assert "never" in table.splitlines()[1] and "never" not in table.splitlines()[2]
    with pytest.raises(ValueError, match="proposers"):
        cv.paxos_run(3)


# ----------------------------------------------------------------------------- coordination
def test_fencing_story_on_the_simulated_store(monkeypatch):
    monkeypatch.delenv("DISTLAB_ETCD_ENDPOINT", raising=False)
    store = cv.coordination_store("", seed=0)
    assert cv.backend_line(store).startswith("backend: simulated Raft store")
    story = cv.fencing_story("", seed=0)
    assert story[False].final_value == "written by A" and story[True].final_value == "written by B"
    assert "✗ no_stale_write_accepted" in cv.fencing_text(story[False])
    assert "✓ no_stale_write_accepted" in cv.fencing_text(story[True])
    fig = cv.render_fencing(story)
    assert "accepted" in fig.axes[0].get_title() and "rejects" in fig.axes[1].get_title()


def test_election_story_hands_over_with_a_larger_epoch(monkeypatch):
    monkeypatch.delenv("DISTLAB_ETCD_ENDPOINT", raising=False)
    lines = cv.election_story(cv.coordination_store("", seed=0), ttl=2)
    assert "alice campaigns: leads" in lines[0] and "bob campaigns: loses" in lines[1]
    first = int(lines[0].split("epoch ")[1])
    last = int(lines[-1].split("epoch ")[1].split()[0])
    assert "bob leads" in lines[-1] and last > first


def test_chooser_controls_change_the_answer():
    panel = cv.chooser_panel(ecosystem="kubernetes")
    assert "etcd" in panel.last_result
    panel.controls["ecosystem"].value = "hadoop"
    assert "ZooKeeper" in panel.last_result
    panel.controls["service_discovery"].value = True
    assert "Consul" in panel.last_result
    panel.controls["data_mb"].value = 10_000
    assert "a database" in panel.last_result
    assert "Zab" in cv.systems_text() and "<table" in cv.systems_html()
    assert "strengths" in cv.systems_widget().value


def test_quiz_has_five_questions_with_explanations():
    assert len(QUIZ) == 5 and all(q["explanation"] for q in QUIZ)
    quiz = cv.quiz()
    assert quiz.correct_count == 0 and len(quiz.questions) == 5
    assert "0 of 5 correct" in quiz.score.value
