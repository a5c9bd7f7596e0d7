"""The lab as a package (issue 20): `pip install .` installs the engine, the lessons, the shell, the figures
and the app with its pages, assets and Streamlit settings, and the `nnlab` command starts it.

Offline and quick: the wheel is built from a copy of the sources without build isolation (setuptools is
already here), and installed into a fresh venv that sees this interpreter's packages (--system-site-packages),
so no dependency is downloaded again; pip installs from outside the venv (--python), which skips putting a
pip into it. One wheel and one venv for the whole module.
"""
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, serve_app
from ui import launch

APP_FILES = ["app.py", ".streamlit/config.toml", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "pages").glob("*.py"))),
             *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "assets").iterdir()))]
PACKAGES = ["nn_core", "lessons", "ui", "viz"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in [*PACKAGES, "pages", "assets", ".streamlit"]:
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("app.py", "pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-w", str(dist), str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (path,) = dist.glob("nnlab-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return home


def test_the_wheel_holds_every_package_and_the_whole_app(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        for path in (ROOT / package).glob("*.py"):
            assert f"{package}/{path.name}" in names
    missing = [f for f in APP_FILES if f"nnlab/{f}" not in names]
    assert not missing, f"the wheel lacks {missing}"
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "nnlab = ui.launch:main" in entry


def _clean_env():
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_the_installed_packages_are_the_venvs_and_find_their_data(venv, tmp_path):
    code = ("import nn_core, lessons, ui, viz; from nn_core.images import load_digits; from nn_core.sequences import "
            "load_text; from ui.launch import app_path; print(nn_core.__file__, app_path(), load_digits()[0].shape, "
            "len(load_text()))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env=_clean_env(), check=True).stdout.split()
    assert out[0].startswith(str(venv)) and out[1] == str(next(venv.glob("lib/python*/site-packages/nnlab/app.py")))
    assert out[2:] == ["(1797,", "8,", "8)", str(len((ROOT / "assets" / "text.txt").read_text(encoding="utf-8")))]


def test_nnlab_starts_the_installed_app_headless(venv, tmp_path):
    nnlab = str(venv / "bin" / "nnlab")
    with serve_app("nnlab.log", lambda port: [nnlab, "--port", str(port), "--address", "127.0.0.1",
                                              "--server.headless", "true"], cwd=tmp_path, env=_clean_env()) as url:
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "<title>" in page.lower() or "streamlit" in page.lower()
    log = (ROOT / "artifacts" / "nnlab.log").read_text()
    assert url.rsplit(":", 1)[1] in log                             # --port reached Streamlit


def test_the_installed_lessons_run(venv, tmp_path):
    """The pages as installed run without an exception (AppTest, in the venv's own interpreter)."""
    code = ("import sys; from pathlib import Path; from streamlit.testing.v1 import AppTest; import ui.launch as l\n"
            "app = l.app_path()\n"
            "for page in ['app.py', 'pages/7_rnn.py', 'pages/6_cnn.py']:\n"
            "    at = AppTest.from_file(str(app.parent / page), default_timeout=120).run()\n"
            "    assert not at.exception, (page, at.exception)\n"
            "print('ran')\n")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env=_clean_env(), timeout=300)
    assert done.stdout.strip().endswith("ran"), done.stderr[-3000:]


def test_nnlab_passes_port_address_and_other_options_to_streamlit():
    cmd = launch.command(["--port", "9000", "--address", "0.0.0.0", "--server.headless", "true"])
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"] and Path(cmd[4]) == ROOT / "app.py"
    assert cmd[5:] == ["--server.port=9000", "--server.address=0.0.0.0", "--server.headless", "true"]
    assert launch.command([])[5:] == []


def test_an_exported_nn_core_script_runs_on_the_installed_lab(venv, tmp_path):
    """What the nn_core version of "Show the code" asks for — `pip install` the lab — is enough to run it."""
    from lessons import export, rnn
    task = rnn.make_task("chars", seed=0)                       # the bundled sonnets: read from the installed assets
    trainer = rnn.SeqTrainer(task, rnn.make_model(task, 8), seq_len=10)
    trainer.train_batch()
    script = tmp_path / "rnn_nn_core.py"
    script.write_text(export.rnn_code(trainer, "nn_core").script())
    done = subprocess.run([str(venv / "bin" / "python"), str(script)], capture_output=True, text=True, cwd=tmp_path,
                          env=_clean_env(), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"training loss {trainer.history['loss'][-1]:.8f}" in done.stdout
