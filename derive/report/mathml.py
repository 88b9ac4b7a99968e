r"""LaTeX strings of the report as MathML, for the HTML format.

The conversion is done by ``latex2mathml`` (pure Python, no dependencies). Its output is
checked before use: it must parse as XML and contain no command it did not know (it
passes those through as ``\foo``). Anything else falls back to the LaTeX source in a
``<code>`` element, so a formula is always shown, as maths or as its source.

>>> 'mfrac' in to_mathml(r"\frac{\partial L}{\partial w_2} = a_{1} \left(a_{2} - y\right)")
True
>>> to_mathml(r"\frac{1}{")
'<code class="latex">\\frac{1}{</code>'
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from functools import cache, lru_cache

MATHML_NS = "http://www.w3.org/1998/Math/MathML"


@cache
def _converter():
    """latex2mathml's converter, imported when a report is first rendered in HTML (it
    costs a twentieth of a second at start-up otherwise)."""
    try:  # a declared dependency; the fallback keeps the HTML report working without it
        from latex2mathml.converter import convert
    except ImportError:  # pragma: no cover - exercised only in a broken install
        return None
    return convert


def code(latex: str) -> str:
    """The LaTeX source, escaped, in ``<code class="latex">``."""
    return f'<code class="latex">{html.escape(latex, quote=False)}</code>'


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: str = "inline") -> str:
    """``<math>…</math>`` for ``latex``, or ``<code>`` with the source when it cannot."""
    latex = latex.strip()
    convert = _converter()
    if not latex or convert is None:
        return code(latex)
    try:
        out = convert(latex, display=display)
        tree = ET.fromstring(out)
    except Exception:  # noqa: BLE001 - any converter failure means: show the source
        return code(latex)
    if tree.tag != f"{{{MATHML_NS}}}math":
        return code(latex)
    for node in tree.iter():
        if node.text and node.text.startswith("\\"):
            return code(latex)   # an unknown command, passed through verbatim
    # keep the source for copying and for screen readers that read TeX
    annotated = out.replace(">", f' alttext="{html.escape(latex, quote=True)}">', 1)
    return annotated
