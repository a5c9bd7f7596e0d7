"""Two app processes behind a local nginx with the shipped deploy/nginx.conf: browsers keep to one replica
(session affinity), the class is spread over both, and training works through the proxy."""
import shutil
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import replicas  # noqa: E402


def test_two_replicas_behind_nginx_with_affinity(tmp_path, browser):
    if not (shutil.which("nginx") or (replicas.pathlib.Path("/usr/sbin/nginx").exists())):
        pytest.skip("Debian's nginx is not installed (apt-get install nginx): the replica test needs it")
    result = replicas.run(browsers=3, seconds=3.0, out=tmp_path, browser=browser)
    assert "skipped" not in result, result
    assert result["browsers"] == 3
    assert all(after and after > (before or 0) for before, after in result["epochs"]), result["epochs"]
