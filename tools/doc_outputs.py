"""The command outputs shown in README.md and docs/ against the real ones.

An output block is marked, on the line before its fence, with the command that prints
it::

    <!-- output: derive check ch08-two-layer-bce (in equations) -->

The command is run (``python -m derive.cli …``, in the folder named, the repository's
root by default), and every line of the block must be a line of its output, in the same
order; a line that is only ``…`` stands for lines left out. tests/test_doc_outputs.py
runs this on every marked block; run it by hand to see what differs:

    python tools/doc_outputs.py
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- output: derive (?P<args>.+?)(?: \(in (?P<cwd>[^)]+)\))? -->$")
FENCE = re.compile(r"^(`{3,})")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int                 # the marker's line
    args: str
    cwd: str
    lines: tuple[str, ...]


def blocks(pages=None) -> list[Block]:
    pages = pages or [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    out = []
    for page in pages:
        text = page.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(text):
            m = MARKER.match(line.strip())
            if not m or n + 1 >= len(text) or not FENCE.match(text[n + 1]):
                continue
            fence = FENCE.match(text[n + 1]).group(1)
            end = next(k for k in range(n + 2, len(text)) if text[k].startswith(fence))
            body = tuple(x.rstrip() for x in text[n + 2:end] if not x.startswith("$ "))
            out.append(Block(page, n + 1, m["args"], m["cwd"] or ".", body))
    return out


def run(block: Block) -> list[str]:
    args = block.args.split()
    done = subprocess.run([sys.executable, "-m", "derive.cli", *args], cwd=ROOT / block.cwd,
                          capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100",
                               "PYTHONPATH": str(ROOT)})
    return [x.rstrip() for x in (done.stdout + done.stderr).splitlines()]


def missing(block: Block, output: list[str]) -> list[str]:
    """The block's lines that are not, in order, lines of the output ([] when it holds)."""
    k = 0
    for want in block.lines:
        if want.strip() == "…":
            continue
        while k < len(output) and output[k] != want:
            k += 1
        if k == len(output):
            return [want]
        k += 1
    return []


def main() -> int:
    bad = 0
    cache: dict = {}
    for b in blocks():
        key = (b.args, b.cwd)
        if key not in cache:
            cache[key] = run(b)
        lost = missing(b, cache[key])
        if lost:
            bad += 1
            print(f"{b.page.relative_to(ROOT)}:{b.line}: derive {b.args}: not in the output: "
                  f"{lost[0]!r}")
    print(f"{len(blocks())} blocks, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
