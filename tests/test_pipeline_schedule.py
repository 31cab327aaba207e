"""Scheduling files: cron, systemd and GitHub Actions run the same, working command line."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess
from pathlib import PurePosixPath

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
    lines = [ln for ln in CRON.read_text().splitlines()
             if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
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


def _with_upstream(folder):
    """Add the specs the copied ones read (``layer:NAME``), so the folder builds on its own."""
    while True:
        wanted = {m for p in folder.glob("*.toml") for m in re.findall(r'"layer:([a-z0-9_]+)"', p.read_text())}
        missing = [n for n in sorted(wanted) if not (folder / f"{n}.toml").exists()]
        if not missing:
            return folder
        for n in missing:
            (folder / f"{n}.toml").write_bytes((REPO / "layers" / f"{n}.toml").read_bytes())


def test_the_scheduled_command_builds_and_then_has_nothing_to_do(tmp_path):
    cmd = _service_command()
    cmd[cmd.index("--out") + 1] = str(tmp_path / "out")
    folder = _with_upstream(cheap_layers(tmp_path / "layers"))
    cmd[cmd.index("--layers-dir") + 1] = str(folder)
    argv = brecha_argv() + cmd[1:]  # this interpreter's brecha instead of /opt/brecha/.venv/bin/brecha
    first = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    specs = len(list(folder.glob("*.toml")))
    assert events[-1]["event"] == "summary" and events[-1]["built"] == specs and events[-1]["failed"] == 0
    man = assert_consistent(tmp_path / "out")
    assert man["store"]["tables"]["municipalities"] == 2469
    second = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    events = [json.loads(line) for line in second.stdout.splitlines()]
    assert second.returncode == 0 and events[-1]["failed"] == 0
    rebuilt = [e for e in events if e["event"] == "layer" and e["status"] == "built"]
    # Only a code edit by someone else between the two runs may cause a rebuild.
    assert all(e["reason"].startswith("code version changed") for e in rebuilt)


# -- a fresh server: deploy/install.sh creates what the schedule files use -----------------

INSTALL = REPO / "deploy/install.sh"


def _schedule_paths(text: str) -> set[str]:
    """Absolute paths a cron line or systemd unit names under /opt, /var/lib or /var/log."""
    return {p.rstrip(";") for p in re.findall(r"(?<![\w/.-])(/(?:opt|var/lib|var/log)/brecha[^\s\"']*)", text)}


def test_install_dry_run_creates_the_user_and_every_path_the_schedule_uses():
    run = subprocess.run(["bash", str(INSTALL), "--dry-run", "--scheduler", "systemd"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    plan = run.stdout
    assert re.search(r"^\+ useradd --system .* brecha$", plan, re.M)
    made = set(re.findall(r"(/(?:opt|var/lib|var/log)/brecha\S*)", plan))
    for path in _schedule_paths(CRON.read_text()) | _schedule_paths(SERVICE.read_text()):
        parents = {path} | {str(p) for p in PurePosixPath(path).parents}
        assert parents & made, f"{path}: nothing in install.sh creates it"
    assert "chown brecha:brecha /var/lib/brecha /var/lib/brecha/outputs /var/log/brecha" in plan
    assert "systemctl enable --now brecha-build.timer" in plan


def test_install_into_a_prefix_writes_a_schedule_that_points_into_it(tmp_path):
    run = subprocess.run(["bash", str(INSTALL), "--prefix", str(tmp_path), "--no-venv", "--scheduler", "cron"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    cron = (tmp_path / "etc/cron.d/brecha").read_text()
    for path in _schedule_paths(cron):
        raise AssertionError(f"{path} escapes the prefix")
    layers = sorted(p.name for p in (tmp_path / "opt/brecha/layers").iterdir())
    assert layers == sorted(p.name for p in (REPO / "layers").glob("*.toml"))
    for folder in ("var/lib/brecha/outputs", "var/log/brecha"):
        assert (tmp_path / folder).is_dir()
    line = next(ln for ln in cron.splitlines() if ln.startswith("17"))
    assert f"{tmp_path}/opt/brecha/.venv/bin/brecha build --layers-dir {tmp_path}/opt/brecha/layers" in line
    assert f">>{tmp_path}/var/log/brecha/build.log" in line
    # Run again after a planner edited a spec: the edit stays, the shipped one lands beside it.
    edited = tmp_path / "opt/brecha/layers/states.toml"
    edited.write_text(edited.read_text() + "\n# edited\n")
    again = subprocess.run(["bash", str(INSTALL), "--prefix", str(tmp_path), "--no-venv", "--scheduler", "none"],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and edited.read_text().endswith("# edited\n")
    assert (tmp_path / "opt/brecha/layers/states.toml.new").read_text() == (REPO / "layers/states.toml").read_text()


def test_install_refuses_unknown_options():
    run = subprocess.run(["bash", str(INSTALL), "--frobnicate"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "unknown option --frobnicate" in run.stderr
