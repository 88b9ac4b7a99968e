"""Finite differences of many quantities in one forward pass of the numeric route.

A claim over a matrix asks for ∂J/∂x of every entry x; each by itself is four forward
passes of the whole model, so a deep model costs its depth again for every entry. Here
each quantity is moved in its own rows of one (4 × count, samples) batch: the forward
pass is elementwise NumPy, so one pass computes them all, with the same arithmetic on
every element as the unbatched route (the numbers are the same, bit for bit):

    f'(x) ≈ (−f(x+2h) + 8 f(x+h) − 8 f(x−h) + f(x−2h)) / 12h,   h = 2e-4 max(1, |x|)
"""
from __future__ import annotations

import numpy as np

from ..read.latex import Partial
from ..memo import Memo

# finite differences already computed in this process, by model, draw and derivative: a
# chapter asks for the same ∂J/∂W entry in several sides, a mutation run in every case
FD_MEMO = Memo(20_000)
BATCH = 32          # quantities moved in one pass (memory: 4 × BATCH rows per node)
STEPS = np.array([2.0, 1.0, -1.0, -2.0])


def prefetch(route, exprs, draw) -> None:
    """The finite differences of every ∂A/∂v in ``exprs`` not yet in :data:`FD_MEMO`,
    in passes of :data:`BATCH` quantities (route.fd then finds them)."""
    wanted: dict = {}
    for e in exprs:
        for p in e.atoms(Partial):
            key = (route._draw_key(draw), p.args[0], p.args[1])
            if key not in FD_MEMO:
                wanted.setdefault(p.args[0], {})[p.args[1]] = key
    for of, keys in wanted.items():
        wrts = list(keys)
        for start in range(0, len(wrts), BATCH):
            chunk = wrts[start:start + BATCH]
            try:
                f, hs = moved_rows(route, of, chunk, draw)
            except KeyError:
                continue                 # route.fd says why, entry by entry
            with np.errstate(all="ignore"):
                d = (-f[:, 0] + 8 * f[:, 1] - 8 * f[:, 2] + f[:, 3]) / (12 * np.array(hs))
            for wrt, row in zip(chunk, d):
                FD_MEMO.put(keys[wrt], np.array(row))


def prefetch_batch(route, wrts, draw) -> None:
    """route.batch_fd (∂J/∂w, J the mean of the per-sample losses) of every parameter in
    ``wrts`` not yet computed: J at each row is the mean of that row's losses."""
    keys = {w: (route._draw_key(draw), "J", w) for w in wrts}
    todo = [w for w in dict.fromkeys(wrts) if keys[w] not in FD_MEMO]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start:start + BATCH]
        try:
            f, hs = moved_rows(route, route.model.loss, chunk, draw)
        except KeyError:
            continue
        for wrt, rows, h in zip(chunk, f, hs):
            J = [float(np.mean(rows[k])) for k in range(4)]
            h = float(h[0])
            FD_MEMO.put(keys[wrt], (-J[0] + 8 * J[1] - 8 * J[2] + J[3]) / (12 * h))


def moved_rows(route, of, wrts: list, draw):
    """``of`` with each of ``wrts`` moved by +2h, +h, −h, −2h in its own rows: an array
    (len(wrts), 4, samples), and each h (per sample). KeyError when a quantity has no
    value in the forward pass."""
    base = route.forward(draw.values)
    missing = [s for s in [of, *wrts] if s not in base]
    if missing:
        raise KeyError(missing[0])
    m = route.m
    shape = (4 * len(wrts), m)
    hs, moves = [], {}
    for j, w in enumerate(wrts):
        x0 = np.broadcast_to(np.asarray(base[w], dtype=float), (m,))
        h = 2e-4 * np.maximum(1.0, np.abs(x0))
        hs.append(h)

        def move(value, j=j, x0=x0, h=h):
            out = np.array(np.broadcast_to(value, shape), dtype=float)
            out[4 * j:4 * j + 4] = x0 + STEPS[:, None] * h
            return out
        moves[w] = move
    f = np.broadcast_to(route.run_forward(draw.values, moves, shape)[of], shape)
    return f.reshape(len(wrts), 4, m), hs
