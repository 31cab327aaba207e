"""Scheduling files: cron, systemd and GitHub Actions run the same, working command line."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess

from test_pipeline_support import REPO, assert_consistent, brecha_argv, cheap_layers

CRON = REPO / "deploy/cron/brecha.cron"
SERVICE = REPO / "deploy/systemd/brecha-build.service"
TIMER = REPO / "deploy/systemd/brecha-build.timer"
WORKFLOW = REPO / ".github/workflows/build-layers.yml"


def _unit(path) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str  # systemd keys are case-sensitive
    cp.read_string(path.read_text())
    return cp


def _cron_command() -> list[str]:
    lines = [ln for ln in CRON.read_text().splitlines() if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    minute, hour, dom, month, dow, user, command = fields
    assert re.fullmatch(r"\d+", minute) and re.fullmatch(r"\d+", hour) and (dom, month, dow) == ("*", "*", "*")
    assert user == "brecha"
    args = shlex.split(command)
    return args[: next(i for i, a in enumerate(args) if a.startswith(">"))]


def _service_command() -> list[str]:
    return shlex.split(_unit(SERVICE)["Service"]["ExecStart"])


def test_cron_and_systemd_run_the_same_command():
    cmd = _service_command()
    assert cmd == _cron_command()
    assert cmd[0].endswith("/bin/brecha") and cmd[1] == "build"
    for opt in ("--out", "--layers-dir", "--log-format", "--lock-timeout"):
        assert opt in cmd
    assert cmd[cmd.index("--log-format") + 1] == "json" and float(cmd[cmd.index("--lock-timeout") + 1]) > 0


def test_systemd_units_fit_together():
    service, timer = _unit(SERVICE), _unit(TIMER)
    assert service["Service"]["Type"] == "oneshot" and service["Service"]["User"] == "brecha"
    out = _service_command()[_service_command().index("--out") + 1]
    assert out.startswith(service["Service"]["ReadWritePaths"])  # ProtectSystem=strict leaves it writable
    assert timer["Timer"]["Unit"] == SERVICE.name and timer["Timer"]["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["Timer"]["OnCalendar"])
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_workflow_is_scheduled_builds_and_uploads_outputs():
    text = WORKFLOW.read_text()
    assert "\t" not in text
    cron = re.search(r"^on:\n  schedule:\n    - cron: \"([^\"]+)\"", text, re.M)
    assert cron and len(cron.group(1).split()) == 5
    assert "workflow_dispatch" in text
    run = re.search(r"^\s+run: (brecha build .*)$", text, re.M)
    assert run and "--out outputs" in run.group(1) and "--log-format json" in run.group(1)
    upload = text[text.index("actions/upload-artifact"):]
    assert re.search(r"path: outputs/", upload)
    assert "actions/cache" in text  # previous outputs restored: incremental between runs


def test_the_scheduled_command_builds_and_then_has_nothing_to_do(tmp_path):
    cmd = _service_command()
    cmd[cmd.index("--out") + 1] = str(tmp_path / "out")
    cmd[cmd.index("--layers-dir") + 1] = str(cheap_layers(tmp_path / "layers"))
    argv = brecha_argv() + cmd[1:]  # this interpreter's brecha instead of /opt/brecha/.venv/bin/brecha
    first = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events[-1]["event"] == "summary" and events[-1]["built"] == 3 and events[-1]["failed"] == 0
    man = assert_consistent(tmp_path / "out")
    assert man["store"]["tables"]["municipalities"] == 2469
    second = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    events = [json.loads(line) for line in second.stdout.splitlines()]
    assert second.returncode == 0 and events[-1]["failed"] == 0
    rebuilt = [e for e in events if e["event"] == "layer" and e["status"] == "built"]
    # Only a code edit by someone else between the two runs may cause a rebuild.
    assert all(e["reason"].startswith("code version changed") for e in rebuilt)
