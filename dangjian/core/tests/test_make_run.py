"""`make run` on a fresh clone: install, migrate, load the demo, serve, print the logins."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# Variables of this test run that must not leak into the clone's own installation.
PRIVATE_ENV = {
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DANGJIAN_VAR_DIR",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
    "MAKEFLAGS",
    "MAKELEVEL",
    "MFLAGS",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
        return response.status, response.read().decode()


def _wait_for(url: str, proc: subprocess.Popen, seconds: int) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run exited with {proc.returncode}")
        try:
            return _get(url)
        except OSError:
            time.sleep(1)
    pytest.fail(f"{url} did not answer within {seconds} s")


@pytest.mark.slow
def test_make_run_on_a_clean_clone_serves_the_demo_district(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    env.update(HOST="127.0.0.1", PORT=str(port), PIP_DISABLE_PIP_VERSION_CHECK="1")
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status, body = _wait_for(f"http://127.0.0.1:{port}/login/", proc, seconds=540)
        assert status == 200
        assert "登录" in body
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        logins = (clone / "var" / "demo-logins.txt").read_text(encoding="utf-8")
        output = log.read_text(encoding="utf-8")
        for line in logins.splitlines():
            username, password, _ = line.split("\t")
            assert username in output and password in output
        assert "党员 3726 名" in output
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
