"""Faults on the output side: a folder that cannot be written to, and a disk that fills up mid-build.

Each must end with one message that names the path and says what to do, a
non-zero exit code (2 for an ``--out`` that cannot be written to: bad input;
1 for a full disk), no traceback, and the previous outputs and manifest
exactly as they were, with no temporary file left behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from brecha.cli import cli
from brecha.pipeline import run as run_module
from brecha.pipeline import verify, writers
from brecha.pipeline.run import _TEMP

from test_pipeline_support import CODE, REG, REPO, SPECS, brecha_argv, write_specs


@pytest.fixture
def layers(tmp_path, monkeypatch) -> Path:
    """Synthetic specs built with the test registry (in this process) and a fixed code version."""
    monkeypatch.setattr(run_module, "REGISTRY", REG)
    monkeypatch.setattr(run_module, "code_version", lambda: CODE)
    return write_specs(tmp_path / "layers", SPECS)


def _build(layers: Path, out: Path, *args: str):
    return CliRunner().invoke(cli, ["build", "--out", str(out), "--layers-dir", str(layers), "--no-store", *args])


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every file of a build (the lock file aside) and its bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".brecha.lock"}


def _assert_clean_failure(res, code: int, says: list[str]) -> None:
    assert res.exit_code == code, res.output
    assert isinstance(res.exception, SystemExit), res.exception  # exited on purpose, no exception escaped
    assert "Traceback" not in res.output
    for s in says:
        assert s in res.output, res.output


def _assert_untouched(out: Path, before: dict[str, bytes], *, dropped: str | None = None) -> None:
    """Every file is byte-identical, no temporary file is left, and the manifest verifies.

    With ``dropped``, the manifest may differ by that layer's entry only: a
    write failed after the entry was dropped, before any rename.
    """
    after = _snapshot(out)
    assert sorted(after) == sorted(before)  # no stray temporary file either
    changed = [name for name in before if after[name] != before[name]]
    if dropped and changed == ["manifest.json"]:
        was, now = (json.loads(m["manifest.json"]) for m in (before, after))
        del was["layers"][dropped]
        assert now == was
        changed = []
    assert changed == []
    assert verify(out) == []


# --- an output folder that cannot be written to --------------------------------------

def _unwritable(where: str, tmp_path: Path) -> Path:
    """An output folder root cannot write to either (chmod does not stop root)."""
    if where == "parent_is_a_file":
        (tmp_path / "plain").write_text("a file, not a folder\n")
        return tmp_path / "plain" / "out"
    if not Path(where).parent.is_dir():
        pytest.skip(f"{Path(where).parent} does not exist on this system")
    return Path(where)


UNWRITABLE = {  # where -> what the system says (sysfs is read-only in most containers)
    "/sys/kernel": ("Permission denied", "Read-only file system"),  # exists; sysfs refuses new files
    "/proc/brecha_out": ("No such file or directory",),  # procfs refuses new folders
    "parent_is_a_file": ("Not a directory",),
}


def _assert_names_the_folder(where: str, out: Path, text: str) -> None:
    tail = f" ({out.parent} is a file, not a folder)" if where == "parent_is_a_file" else ""
    assert any(f"error: cannot write to the output folder {out}: {why}{tail}. Choose a folder you can create "
               f"and write to (--out or BRECHA_OUT)." in text for why in UNWRITABLE[where]), text


@pytest.mark.parametrize("where", UNWRITABLE)
def test_unwritable_out_folder_via_the_installed_command(tmp_path, where):
    out = _unwritable(where, tmp_path)
    proc = subprocess.run(brecha_argv() + ["build", "--out", str(out), "--layers-dir", str(REPO / "layers"),
                                           "--layer", "states", "--no-store"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    _assert_names_the_folder(where, out, proc.stderr)
    if where == "parent_is_a_file":
        assert (tmp_path / "plain").read_text() == "a file, not a folder\n"


@pytest.mark.parametrize("where", UNWRITABLE)
def test_unwritable_out_folder_via_click(tmp_path, layers, where):
    out = _unwritable(where, tmp_path)
    res = _build(layers, out, "--log-format", "json")
    _assert_clean_failure(res, 2, [])
    # With --log-format json every line is JSON (issue 16): the message is the error event's.
    assert all(ln.startswith("{") for ln in (res.stdout + res.stderr).splitlines()), res.output
    error = [json.loads(ln) for ln in res.stdout.splitlines() if '"event": "error"' in ln]
    assert [(e["error"], e["exit_code"]) for e in error] == [("OutputFolderError", 2)]
    _assert_names_the_folder(where, out, f"error: {error[0]['message']}")


# --- a full disk, injected where the bytes are written --------------------------------

def _no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _failing_writer(real: Callable, exc: Callable[[], BaseException]) -> Callable:
    """A writer that writes the file, leaves a sidecar as SQLite does, then fails as a full disk makes it."""

    def write(result, tmp: Path, spec) -> dict:
        real(result, tmp, spec)
        Path(f"{tmp}-journal").write_bytes(b"half a journal")
        raise exc()

    return write


def _failing_fsync(name: str) -> Callable[[int], None]:
    """``os.fsync`` that fails with ENOSPC for the temporary file of ``name`` (NFS and thin disks do)."""
    real = os.fsync

    def fsync(fd: int) -> None:
        if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(f".{name}."):
            raise _no_space()
        real(fd)

    return fsync


# layer whose spec is edited (the only one rebuilt), file that fails, how, what the message says.
# An fsync fails when the layer's files are renamed in, after its manifest entry was dropped.
FULL_DISK = {
    "parquet_write_enospc": ("base", "layers/base.parquet", "writer", _no_space, "no space left"),
    "gpkg_sqlite_disk_full": ("base", "layers/base.gpkg", "writer",
                              lambda: RuntimeError("failed to execute insert : database or disk is full"),
                              "no space left"),
    "fgb_gdal_io_failure": ("base", "layers/base.fgb", "writer",
                            lambda: RuntimeError("Could not add feature to layer at index 7: Unexpected I/O failure"),
                            "Unexpected I/O failure"),
    "csv_quota": ("derived", "layers/derived.csv", "writer",
                  lambda: OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)), "no space left"),
    "csv_fsync_enospc": ("derived", "layers/derived.csv", "fsync", None, "no space left"),
    "tif_write_error": ("grid", "rasters/grid.tif", "writer",
                        lambda: RuntimeError("TIFFAppendToStrip: Write error at scanline 0"), "Write error"),
    "html_write_enospc": ("map", "maps/map.html", "writer", _no_space, "no space left"),
    "manifest_fsync_enospc": ("base", "manifest.json", "fsync", None, "no space left"),
}


@pytest.mark.parametrize("case", FULL_DISK.values(), ids=FULL_DISK.keys())
def test_full_disk_mid_build_keeps_the_previous_outputs(tmp_path, layers, monkeypatch, case):
    name, target, how, exc, says = case
    out = tmp_path / "out"
    assert _build(layers, out).exit_code == 0
    before = _snapshot(out)
    spec = layers / f"{name}.toml"
    spec.write_text('description = "edited, so this layer is rebuilt"\n' + spec.read_text())
    with monkeypatch.context() as m:
        if how == "writer":
            fmt = Path(target).suffix.lstrip(".")
            m.setitem(writers.WRITERS, fmt, _failing_writer(writers.WRITERS[fmt], exc))
        else:
            m.setattr(os, "fsync", _failing_fsync(Path(target).name))
        res = _build(layers, out)
    _assert_clean_failure(res, 1, [f"error: cannot write {out / target}: ", says, "run again",
                                   f"the previous {Path(target).name}, if any, is unchanged"])
    _assert_untouched(out, before, dropped=name if (how, target) == ("fsync", "layers/derived.csv") else None)
    again = _build(layers, out)  # room again: the edited layer is built, nothing else
    assert again.exit_code == 0 and f"1 built, {len(SPECS) - 1} skipped, 0 failed" in again.output, again.output
    assert verify(out) == []


def test_a_writer_bug_is_a_failed_layer_not_a_full_disk(tmp_path, layers, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setitem(writers.WRITERS, "gpkg", _failing_writer(writers.WRITERS["gpkg"],
                                                                 lambda: ValueError("cannot encode column 'x'")))
    res = _build(layers, out)
    assert res.exit_code == 1 and "ValueError: cannot encode column 'x'" in res.output, res.output
    assert "1 built, 0 skipped, 3 failed" in res.output  # the grid still built; base and its dependents failed
    assert verify(out) == [] and not [p for p in out.rglob("*") if _TEMP.match(p.name)]


# --- a real full disk: a tiny tmpfs ----------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path) -> Path:
    """A 4 MiB tmpfs, mounted for the test (needs root and a kernel that allows it, else skips)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path, *, leave: int) -> Path:
    """Fill ``disk`` until only ``leave`` bytes are free."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(bytes(max(0, st.f_bavail * st.f_frsize - leave)))
    return filler


@pytest.mark.parametrize("share", [0.0, 0.3, 0.7])
def test_a_real_full_disk_keeps_the_previous_outputs(layers, tiny_disk, share):
    out = tiny_disk / "out"
    assert _build(layers, out).exit_code == 0
    before = _snapshot(out)
    first_layer = sum(len(b) for path, b in before.items() if path.startswith("layers/base."))
    filler = _fill(tiny_disk, leave=int(share * first_layer))  # too little for the first layer's new files
    res = _build(layers, out, "--force")
    _assert_clean_failure(res, 1, [f"error: cannot write {out / 'layers'}/base.", "no space left on the disk holding",
                                   "choose another output folder (--out)"])
    _assert_untouched(out, before)
    filler.unlink()
    assert _build(layers, out, "--force").exit_code == 0
    assert verify(out) == [] and not [p for p in out.rglob("*") if _TEMP.match(p.name)]
