"""Verdicts do not depend on the machine's load (issue 15): the same chapter checked on an
idle machine, beside a CPU hog, and with its process paused for longer than its time
limits gives a byte-identical JSON report. Time limits count the CPU time of the check
(derive.timelimit); with wall-clock limits the paused run times out (checked by hand
against the wall-clock implementation: that run reports every claim inconclusive)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "softmax-index"
LIMITS = "\n[limits]\nclaim_seconds = 2\nchapter_seconds = 6\n"


def _chapter(tmp_path: Path) -> Path:
    folder = tmp_path / "chapter"
    shutil.copytree(CHAPTER, folder)
    manifest = folder / "manifest.toml"
    assert "[limits]" not in manifest.read_text(encoding="utf-8")
    manifest.write_text(manifest.read_text(encoding="utf-8") + LIMITS, encoding="utf-8")
    return folder


def _check(folder: Path, out: Path, pause: float = 0.0) -> bytes:
    command = [sys.executable, "-m", "derive.cli", "check", str(folder), "--format", "json",
               "-o", str(out)]
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if pause:
        time.sleep(0.8)                 # imports done, the chapter being checked
        os.killpg(proc.pid, signal.SIGSTOP)
        time.sleep(pause)               # longer than every limit, on the wall clock
        os.killpg(proc.pid, signal.SIGCONT)
    assert proc.wait(timeout=120) in (0, 1)
    return out.read_bytes()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals")
def test_the_report_does_not_depend_on_load(tmp_path):
    folder = _chapter(tmp_path)
    idle = _check(folder, tmp_path / "idle.json")
    assert b'"inconclusive"' not in idle and b'"verified"' in idle
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(2 * (os.cpu_count() or 2))]
    try:
        busy = _check(folder, tmp_path / "busy.json")
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    paused = _check(folder, tmp_path / "paused.json", pause=8.0)
    assert busy == idle
    assert paused == idle
