"""The command outputs shown in README.md and docs/ against the real ones.

An output block is marked, on the line before its fence, with the command that prints
it::

    <!-- output: derive check ch08-two-layer-bce (in equations) -->

The command is run (``python -m derive.cli …``, in the folder named, the repository's
root by default), and every line of the block must be a line of its output, in the same
order; a line that is only ``…`` stands for lines left out, and a line that ends in ``…``
for the line of the output that starts with what comes before it (a long line cut).

A page can also build the files its commands run on, in its own scratch folder (a new
temporary folder per page, named ``scratch`` in the markers), in the page's order::

    <!-- copy: equations/ch08-two-layer-bce to scratch/ch08-two-layer-bce -->   (or from scratch/)
    <!-- file: scratch/two-layer-tanh/chapter.tex -->      (before a fenced block: its text)
    <!-- edit: scratch/two-layer-tanh/chapter.tex -->      (before a ```diff block)
    <!-- output: derive check two-layer-tanh (in scratch) -->

``edit`` replaces, in the file, the block's ``-`` lines (with its context lines) by its
``+`` lines, hunk by hunk (hunks are cut at ``@@`` lines); it is an error when they are
not in the file. So the chapter a tutorial
writes out is the chapter its outputs come from. tests/test_doc_outputs.py runs every
page; run it by hand to see what differs:

    python tools/doc_outputs.py
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- (?P<kind>output|file|edit|copy): (?P<arg>.+?) -->$")
OUTPUT = re.compile(r"^derive (?P<args>.+?)(?: \(in (?P<cwd>[^)]+)\))?$")
FENCE = re.compile(r"^(`{3,})")
SCRATCH = "scratch"


@dataclass(frozen=True)
class Block:
    page: Path
    line: int                 # the marker's line
    args: str                 # output: the command's arguments; file, edit: the path
    cwd: str
    lines: tuple[str, ...]
    kind: str = "output"


def page_blocks(page: Path) -> list[Block]:
    """The marked blocks of one page, in order."""
    text = page.read_text(encoding="utf-8").splitlines()
    out = []
    for n, line in enumerate(text):
        m = MARKER.match(line.strip())
        if not m:
            continue
        kind, arg = m["kind"], m["arg"]
        if kind == "copy":
            out.append(Block(page, n + 1, arg, ".", (), kind))
            continue
        if n + 1 >= len(text) or not FENCE.match(text[n + 1]):
            raise ValueError(f"{page}:{n + 1}: a '{kind}' marker must be followed by a fence")
        fence = FENCE.match(text[n + 1]).group(1)
        end = next(k for k in range(n + 2, len(text)) if text[k].startswith(fence))
        body = text[n + 2:end]
        if kind == "output":
            o = OUTPUT.match(arg)
            body = [x.rstrip() for x in body if not x.startswith("$ ")]
            out.append(Block(page, n + 1, o["args"], o["cwd"] or ".", tuple(body)))
        else:
            out.append(Block(page, n + 1, arg, ".", tuple(body), kind))
    return out


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(selected=None) -> list[Block]:
    """Every marked block of README.md and docs/ (or of the pages given)."""
    return [b for page in selected or pages() for b in page_blocks(page)]


def _in_scratch(path: str, scratch: Path) -> Path:
    parts = Path(path).parts
    if not parts or parts[0] != SCRATCH or ".." in parts:
        raise ValueError(f"{path}: files a page builds go under {SCRATCH}/")
    return scratch.joinpath(*parts[1:])


def apply(block: Block, scratch: Path) -> None:
    """Build the page's files: a ``copy``, ``file`` or ``edit`` block."""
    if block.kind == "copy":
        source, _, target = block.args.partition(" to ")
        shutil.copytree(_in_scratch(source, scratch) if source.split("/")[0] == SCRATCH
                        else ROOT / source, _in_scratch(target, scratch))
        return
    path = _in_scratch(block.args, scratch)
    if block.kind == "file":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    for hunk in _hunks(block.lines):
        old = [x[1:] for x in hunk if x[:1] in ("-", " ")]
        new = [x[1:] for x in hunk if x[:1] in ("+", " ")]
        before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
        if before not in text:
            raise ValueError(f"{block.page.name}:{block.line}: the '-' lines are not in "
                             f"{block.args}: {old[0] if old else ''!r}")
        text = text.replace(before, after, 1)
    path.write_text(text, encoding="utf-8")


def _hunks(lines) -> list[list[str]]:
    """A diff's hunks: its lines cut at each ``@@`` line."""
    out: list[list[str]] = [[]]
    for x in lines:
        if x.startswith("@@"):
            out.append([])
        elif x[:1] in ("-", "+", " "):
            out[-1].append(x)
    return [h for h in out if h]


def run(block: Block, scratch: Path | None = None) -> list[str]:
    """The lines the block's command prints (stdout, then stderr)."""
    cwd = _in_scratch(block.cwd, scratch) if block.cwd.split("/")[0] == SCRATCH \
        else ROOT / block.cwd
    done = subprocess.run([sys.executable, "-m", "derive.cli", *block.args.split()], cwd=cwd,
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
        cut = want[:-1] if want.endswith("…") else None
        while k < len(output) and output[k] != want and not (
                cut is not None and output[k].startswith(cut)):
            k += 1
        if k == len(output):
            return [want]
        k += 1
    return []


def check_page(page: Path) -> list[tuple[Block, list[str]]]:
    """Each output block of the page with what it lacks ([] when it holds), its files
    built in order in a new scratch folder."""
    results = []
    cache: dict = {}
    with tempfile.TemporaryDirectory(prefix="derive-doc-") as tmp:
        scratch = Path(tmp)
        for b in page_blocks(page):
            if b.kind != "output":
                apply(b, scratch)
                cache = {k: v for k, v in cache.items() if not k[1].startswith(SCRATCH)}
                continue
            key = (b.args, b.cwd)
            if key not in cache:
                cache[key] = run(b, scratch)
            results.append((b, missing(b, cache[key])))
    return results


def main() -> int:
    bad = total = 0
    for page in pages():
        for b, lost in check_page(page):
            total += 1
            if lost:
                bad += 1
                print(f"{b.page.relative_to(ROOT)}:{b.line}: derive {b.args}: not in the "
                      f"output: {lost[0]!r}")
    print(f"{total} blocks, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
