"""A plain (non-editable) install carries the cocotb benches and co-simulates from any
folder: the wheel is built, installed into a fresh folder and run from an empty one."""

import os
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(out), str(REPO)], check=True, capture_output=True)
    return next(out.glob("neurocore_hw-*.whl"))


def test_wheel_holds_the_benches_and_every_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for bench in ("bench_neuron", "bench_bulk", "bench_core", "bench_hostlink"):
        assert f"rtl_gen/verify/benches/{bench}.py" in names
    for module in ("neurocore_hw/model.py", "neurocore_hw/cli/__init__.py",
                   "rtl_gen/verify/toolchain.py", "rtl_gen/psu_lif.py"):
        assert module in names


@pytest.mark.cosim
def test_installed_copy_cosimulates_from_an_empty_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-c",
                           "import sys, rtl_gen; from neurocore_hw.cli import main; "
                           "assert rtl_gen.__file__.startswith(sys.argv[1]), rtl_gen.__file__; "
                           "sys.exit(main(['cosim', 'lif', '--cycles', '3000']))", str(site)],
                          cwd=empty, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "PASS" in proc.stdout
