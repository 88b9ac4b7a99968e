"""Environments inside a formula: ``cases`` (a value per condition) and the matrix
environments (``bmatrix``, ``pmatrix``, ...), read cell by cell. Other environments
arrange rows of a display and are handled by :mod:`derive.read.layout`."""
from __future__ import annotations

from . import tree as T


def environment(self):
    from .layout import env_name
    name, after = env_name(self.toks, self.pos)
    head = self.peek()
    if name not in ("cases", "dcases", "matrix", "bmatrix", "pmatrix", "Bmatrix", "vmatrix"):
        raise self.error(f"the environment {name} inside a formula", head)
    for _ in range(self.pos, after):
        self.take()
    rows, cur, cells = [], [], []
    depth = 0
    while True:
        t = self.peek()
        if t is None:
            raise self.error(f"\\begin{{{name}}} is never closed", head)
        if t.text == r"\end" and depth == 0:
            end_name, end_after = env_name(self.toks, self.pos)
            if end_name != name:
                raise self.error(f"\\begin{{{name}}} closed by \\end{{{end_name}}}", t)
            for _ in range(self.pos, end_after):
                self.take()
            break
        self.take()
        if t.text == r"\begin":
            depth += 1
        elif t.text == r"\end":
            depth -= 1
        if depth == 0 and t.text == "&":
            cells.append(cur)
            cur = []
        elif depth == 0 and t.text == r"\\":
            cells.append(cur)
            rows.append(cells)
            cur, cells = [], []
        else:
            cur.append(t)
    if cur or cells:
        cells.append(cur)
        rows.append(cells)
    if name in ("cases", "dcases"):
        return _cases(self, rows, head)
    return self.postfix(T.Matrix(tuple(tuple(self.sub_parse(c) for c in r) for r in rows)))


def _cases(self, rows, head):
    out = []
    for cells in rows:
        if len(cells) != 2 or not cells[0]:
            raise self.error("each row of cases is 'value & condition'", head)
        value_toks = cells[0]
        if value_toks and value_toks[-1].text in (",", ";"):
            value_toks = value_toks[:-1]
        value = self.sub_parse(value_toks)
        cond_toks = cells[1]
        words = ""
        while cond_toks and cond_toks[0].text in (r"\text", r"\mbox", r"\textrm", r"\quad",
                                                  r"\qquad", r"\,"):
            if cond_toks[0].text in (r"\quad", r"\qquad", r"\,"):
                cond_toks = cond_toks[1:]
                continue
            close = next((k for k, t in enumerate(cond_toks) if t.text == "}"), None)
            if close is None or len(cond_toks) < 2 or cond_toks[1].text != "{":
                raise self.error(f"{cond_toks[0].text} needs its words in braces",
                                 cond_toks[0])
            words += "".join((" " if t.space_before and k else "") + t.text
                             for k, t in enumerate(cond_toks[2:close])) + " "
            cond_toks = cond_toks[close + 1:]
        words = words.strip().rstrip(",").strip()
        if cond_toks and cond_toks[-1].text in (",", ".", ";"):
            cond_toks = cond_toks[:-1]
        if not cond_toks:
            if words not in ("otherwise", "else", "o.w.", "elsewhere"):
                raise self.error(f"a case condition '{words}' the reader cannot check", head)
            out.append((value, None))
            continue
        if words and words not in ("if", "for", "when"):
            raise self.error(f"a case condition starting with '{words}'", head)
        out.append((value, self.condition(cond_toks, head)))
    return T.Cases(tuple(out))
