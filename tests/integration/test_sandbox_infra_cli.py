"""``syncbridge sandbox`` from the command line: bad flags, and a real start in a subprocess."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from syncbridge.cli import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faults", "418=0.5"], "unknown kind '418'"),
        (["--faults", "429=2"], "must be in 0..1"),
        (["--rate-limit", "-1"], "--rate-limit"),
        (["--port", "70000"], "--port"),
        (["--webhook-url", "http://127.0.0.1:9/h"], "needs a signing key"),
        (["--webhook-url", "ftp://x", "--webhook-secret", "s"], "must start with http"),
        (["--webhook-secret", "s"], "needs --webhook-url"),
        (["--token", "two words"], "no spaces"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["sandbox", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()).replace("│", "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_starts_prints_ids_and_serves() -> None:
    port = _free_port()
    command = [sys.executable, "-c", "from syncbridge.cli import main; main()", "sandbox",
               "--port", str(port), "--token", "cli-token", "--rate-limit", "0"]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 30
        while not any("Batch to-dos" in line for line in lines) and time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = proc.stdout.readline().decode()
                if not line:
                    break
                lines.append(line)
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}" in out
        assert "Token: cli-token" in out
        tasks = next(line.split() for line in lines if line.startswith("Tasks "))
        headers = {"Authorization": "Bearer cli-token", "Notion-Version": "2025-09-03"}
        answer = httpx.get(f"http://127.0.0.1:{port}/v1/data_sources/{tasks[2]}", headers=headers)
        assert answer.status_code == 200
        assert answer.json()["parent"]["database_id"] == tasks[1]
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
