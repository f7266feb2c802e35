"""The codesign explorer: content-addressed jobs on Dask, caching, time-outs, failures,
the Pareto front, and the explore command."""

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from neurocore_hw.cli import main
from neurocore_hw.sweep import ResultCache, make_job, run_sweep
from rtl_gen.explore import explore, neuron_points, pareto_front, recommend

HERE = Path(__file__).resolve().parent


@pytest.fixture
def jobs_on_path(monkeypatch):
    """Child interpreters and Dask workers import tests/sweep_jobs.py."""
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)


def _sleepy(value, seconds=0.0, log=None):
    return make_job("sweep_jobs:sleepy", {"seconds": seconds, "value": value, "log": log},
                    label=f"sleepy {value}")


def _strip(results):
    return [{k: v for k, v in r.items() if k not in ("seconds", "cached")} for r in results]


def test_dask_sweep_equals_serial(tmp_path):
    """A small real sweep (fidelity + iCE40 synthesis of three LIF formats) on a local
    cluster of 2 workers gives exactly the serial results."""
    points = neuron_points("lif", real={"tau_mem": 20.0}, formats=["Q6.2", "Q8.4", "Q10.6"],
                           targets=["ice40"])
    serial = explore(points, scheduler="serial", progress=False)
    dask = explore(points, scheduler="local", workers=2, progress=False)
    assert _strip(serial) == _strip(dask)
    assert all(not r["failures"] for r in serial)
    luts = [r["resources"]["ice40"]["lut"] for r in serial]
    assert luts == sorted(luts) and luts[0] < luts[-1]  # wider formats cost more
    assert {"agreement", "rate_error"} <= set(serial[0]["metrics"])


def test_killed_worker_sweep_completes(tmp_path, jobs_on_path):
    """SIGKILL one of two workers while jobs run: Dask reschedules its job, every record
    is still ok with the right value."""
    jobs = [_sleepy(v, seconds=1.5) for v in range(6)]
    killed = []

    def kill_one(client):
        def later():
            pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        threading.Timer(0.8, later).start()

    records = run_sweep(jobs, scheduler="local", workers=2, progress=False,
                        on_client=kill_one)
    assert killed
    assert [records[j.key]["status"] for j in jobs] == ["ok"] * 6
    assert [records[j.key]["result"]["square"] for j in jobs] == [v * v for v in range(6)]


def test_timeout_and_failure_are_records_not_errors(tmp_path, jobs_on_path):
    jobs = [_sleepy(3, seconds=30.0), make_job("sweep_jobs:fail", {"message": "no luck"}),
            _sleepy(4)]
    records = run_sweep(jobs, scheduler="serial", timeout=2.0, progress=False)
    slow, bad, good = (records[j.key] for j in jobs)
    assert slow["status"] == "timeout" and slow["seconds"] < 10
    assert bad["status"] == "failed" and bad["error"] == "RuntimeError: no luck"
    assert good["status"] == "ok" and good["result"] == {"square": 16}


def test_cache_skips_done_jobs(tmp_path, jobs_on_path):
    log = tmp_path / "runs.log"
    cache = ResultCache(tmp_path / "cache")
    jobs = [_sleepy(v, log=str(log)) for v in range(3)]
    first = run_sweep(jobs[:2], scheduler="serial", cache=cache, progress=False)
    assert not any(r["cached"] for r in first.values())
    # an "interrupted" sweep: two of three done; the re-run only runs the third
    again = run_sweep(jobs, scheduler="serial", cache=cache, progress=False)
    assert [again[j.key]["cached"] for j in jobs] == [True, True, False]
    assert log.read_text().split() == ["0", "1", "2"]
    # a failed job is not cached
    bad = make_job("sweep_jobs:fail", {"message": "x"})
    run_sweep([bad], scheduler="serial", cache=cache, progress=False)
    assert cache.get(bad.key) is None


def test_keys_address_content():
    a = make_job("m:f", {"x": 1}, salt={"yosys": "0.1"})
    assert a.key == make_job("m:f", {"x": 1}, salt={"yosys": "0.1"}).key
    assert a.key != make_job("m:f", {"x": 2}, salt={"yosys": "0.1"}).key
    assert a.key != make_job("m:f", {"x": 1}, salt={"yosys": "0.2"}).key
    p8, p8b, p12 = (neuron_points("lif", formats=[f], targets=["ice40"])[0]
                    for f in ("Q8.4", "Q8.4", "Q12.8"))
    assert p8.jobs["synth:ice40"].key == p8b.jobs["synth:ice40"].key
    assert p8.jobs["synth:ice40"].key != p12.jobs["synth:ice40"].key


def _result(lut, metric):
    return {"params": {}, "metrics": {"m": metric}, "resources": {"t": {"lut": lut}}}


def test_pareto_front_and_recommendation():
    results = [_result(10, 0.5), _result(20, 0.4), _result(30, 0.9), _result(40, 0.9),
               _result(50, 0.99), _result(5, None)]
    assert pareto_front(results, "m", "t") == [0, 2, 4]
    assert recommend(results, "m", "t", goal=0.8) == 2
    assert recommend(results, "m", "t", goal=0.999) is None


def test_explore_command_writes_results(tmp_path, capsys):
    out, md, png = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "r.png"
    assert main(["explore", "lif", "--real", "tau_mem=20ms", "--widths", "8:12:4",
                 "--int-bits", "4", "--targets", "ice40", "--scheduler", "serial",
                 "--cache", str(tmp_path / "cache"), "-o", str(out), "--markdown", str(md),
                 "--plot", str(png), "--goal", "0.1"]) == 0
    data = json.loads(out.read_text())
    assert [p["params"]["format"] for p in data["points"]] == ["Q8.4", "Q12.8"]
    for p in data["points"]:
        assert set(p) >= {"params", "metrics", "resources", "fmax_mhz", "seconds"}
        assert p["params"]["real"]["tau_mem"] == 20.0
    assert "| Q8.4 |" in md.read_text() and png.stat().st_size > 1000
    assert "**" in capsys.readouterr().out  # a recommended point


@pytest.mark.parametrize(("args", "match"), [
    (["lif", "--widths", "8:x"], "LO:HI"),
    (["lif", "--widths", "8:12"], "--int-bits"),
    (["lif", "--format", "Q8.4", "--targets", "altera"], "target 'altera'"),
    (["lif", "--format", "Q8"], "Q<width>.<frac>"),
    (["--nir", "g.nir"], "--dt"),
    (["lif", "--variant", "turbo"], "no variant 'turbo'"),
    ([], "MODEL or --nir"),
])
def test_explore_bad_input_one_line_exit_2(tmp_path, capsys, args, match):
    out = tmp_path / "r.json"
    assert main(["explore", *args, "--scheduler", "serial", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert match in err[-1] and err[-1].startswith("neurocore-hw")
    assert not out.exists()


def test_sweep_on_an_existing_cluster_by_address(jobs_on_path):
    """--scheduler tcp://...: the same jobs on a cluster the user already runs."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=":0") as cluster:
        jobs = [_sleepy(v) for v in range(3)]
        records = run_sweep(jobs, scheduler=cluster.scheduler_address, progress=False)
    assert [records[j.key]["result"]["square"] for j in jobs] == [0, 1, 4]


def test_unreachable_scheduler_is_one_line(tmp_path, capsys):
    assert main(["explore", "lif", "--format", "Q8.4", "--targets", "ice40",
                 "--scheduler", "tcp://127.0.0.1:9", "--no-cache"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "cannot reach the Dask scheduler" in err[-1]
