#!/usr/bin/env sh
# Regenerates every example in docs/formats/examples/ from the seed chapter.
# Run from the repository root, with derive installed (pip install .) or importable:
#
#     sh docs/formats/generate.sh            # PYTHON=.venv/bin/python to pick one
#
# Each command below is the one its page shows. derive exits 1 on this chapter (it has
# real errors), so exit code 1 is expected; anything else stops the script.
set -eu
PY=${PYTHON:-python3}
CH=equations/ch08-two-layer-bce
OUT=docs/formats/examples
mkdir -p "$OUT"

ok() { rc=$?; [ "$rc" -le 1 ] || { echo "generate.sh: failed ($rc): $*" >&2; exit "$rc"; }; }

# text (default, --verbose, --quiet) — stdout is not a terminal here, so no colour
$PY -m derive.cli check "$CH" > "$OUT/seed.txt" || ok text
$PY -m derive.cli check "$CH" --verbose > "$OUT/seed-verbose.txt" || ok verbose
$PY -m derive.cli check "$CH" --quiet > "$OUT/seed-quiet.txt" || ok quiet

# one file per format
$PY -m derive.cli check "$CH" --format json --output "$OUT/seed.json" || ok json
$PY -m derive.cli check "$CH" --format markdown --output "$OUT/seed.md" || ok markdown
$PY -m derive.cli check "$CH" --format html --output "$OUT/seed.html" || ok html
$PY -m derive.cli check "$CH" --format junit --output "$OUT/seed-junit.xml" || ok junit
$PY -m derive.cli check "$CH" --format concise > "$OUT/seed-concise.txt" || ok concise
$PY -m derive.cli check "$CH" --format github > "$OUT/seed-github.txt" || ok github
$PY -m derive.cli check "$CH" --format gitlab --output "$OUT/seed-gitlab.json" || ok gitlab
$PY -m derive.cli check "$CH" --format sarif --output "$OUT/seed.sarif" || ok sarif

# the pytest plugin (loaded by name, other auto-loaded plugins off, so the output is the
# same installed or not; xdist only for the project's "-n auto", here -n 0); the run
# time pytest prints is replaced by "N.NNs"
PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $PY -m pytest -p xdist -p derive.pytest_plugin \
    -p no:cacheprovider -q -n 0 --derive "$CH" > "$OUT/pytest-plugin.txt.tmp" || ok pytest
sed -E 's/ in [0-9]+\.[0-9]+s/ in N.NNs/' "$OUT/pytest-plugin.txt.tmp" > "$OUT/pytest-plugin.txt"
rm -f "$OUT/pytest-plugin.txt.tmp"

# notebook: what Jupyter displays for a Report (its _repr_html_ fragment)
$PY -c 'import derive; r = derive.check("equations/ch08-two-layer-bce"); open("docs/formats/examples/notebook-cell.html", "w", encoding="utf-8").write(r._repr_html_())'

# fill each page's <!-- example FILE LANG --> … <!-- /example --> block with FILE
$PY - <<'PYEOF'
import pathlib
import re

docs = pathlib.Path("docs/formats")


def fill(m):
    name, lang = m.group(1), m.group(2)
    body = (docs / "examples" / name).read_text(encoding="utf-8").rstrip("\n")
    return f"<!-- example {name} {lang} -->\n````{lang}\n{body}\n````\n<!-- /example -->"


for page in sorted(docs.glob("*.md")):
    text = page.read_text(encoding="utf-8")
    new = re.sub(r"<!-- example (\S+) (\S+) -->\n.*?<!-- /example -->", fill, text, flags=re.S)
    if new != text:
        page.write_text(new, encoding="utf-8")
PYEOF

echo "generate.sh: wrote $(ls "$OUT" | wc -l) files to $OUT"
