"""The simulator's own command: register agencies, list them, serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.client import AxisClient

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "connectors.simulator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_add_and_list_agencies(tmp_path):
    db = str(tmp_path / "sim.sqlite3")
    done = _run(
        "--db",
        db,
        "add-agency",
        "--organ-id",
        "000.00.00.H44",
        "--name",
        "UBND tỉnh Phú Thọ",
        "--system-id",
        "edoc.phutho",
        "--secret-env",
        "SIM_SECRET",
        env={"SIM_SECRET": "cli-secret-1"},
    )
    assert done.returncode == 0, done.stderr
    listed = _run("--db", db, "list-agencies")
    assert listed.returncode == 0
    assert listed.stdout.strip() == "000.00.00.H44\tedoc.phutho\tUBND tỉnh Phú Thọ"
    assert "cli-secret-1" not in listed.stdout
    missing = _run(
        "--db",
        db,
        "add-agency",
        "--organ-id",
        "x",
        "--name",
        "x",
        "--system-id",
        "x",
        "--secret-env",
        "SIM_UNSET_VARIABLE",
    )
    assert missing.returncode == 2


@pytest.mark.timeout(60)
def test_serve_with_an_agencies_file(tmp_path):
    agencies = tmp_path / "agencies.json"
    agencies.write_text(
        json.dumps(
            [
                {
                    "organ_id": "000.00.00.H44",
                    "name": "UBND tỉnh Phú Thọ",
                    "system_id": "edoc.phutho",
                    "secret": "file-secret-1",
                },
                {
                    "organ_id": "000.00.31.H44",
                    "name": "UBND phường Vĩnh Phúc",
                    "system_id": "edoc.vinhphuc",
                    "secret": "file-secret-2",
                },
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connectors.simulator",
            "--db",
            str(tmp_path / "sim.sqlite3"),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--agencies",
            str(agencies),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("axis simulator on http://127.0.0.1:"), line
        base_url = line.split()[3]
        client = AxisClient(base_url, "edoc.vinhphuc", "file-secret-2")
        assert {a.organ_id for a in client.agencies()} == {"000.00.00.H44", "000.00.31.H44"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
