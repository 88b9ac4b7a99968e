"""DV308 index: indices swapped in an index-notation formula (Nielsen, BP4)."""
import shutil

from derive.driver import check_chapter
from rule_cases import EQUATIONS, all_codes

PRINTED = r"a^{l-1}_k \delta^l_j \tag{BP4}"


def _chapter(tmp_path, planted: str):
    folder = tmp_path / "nielsen"
    shutil.copytree(EQUATIONS / "nielsen-backprop-index", folder)
    text = (folder / "chapter.tex").read_text(encoding="utf-8")
    assert text.count(PRINTED) == 1
    (folder / "chapter.tex").write_text(text.replace(PRINTED, planted), encoding="utf-8")
    return check_chapter(folder / "manifest.toml", seed=5, numeric=False)


def test_swapped_indices_are_named_with_the_fix(tmp_path):
    r = _chapter(tmp_path, r"a^{l-1}_j \delta^l_k \tag{BP4}")
    found = [f for e in r.equations if e.id.startswith("BP4") for f in e.findings
             if f.code == "DV308"]
    assert found and found[0].kind == "index" and "swapped" in found[0].message


def test_the_printed_indices_are_not_reported(tmp_path):
    assert "DV308" not in all_codes(_chapter(tmp_path, PRINTED))
