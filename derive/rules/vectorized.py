"""DV309 vectorized: a scalar chapter's gradients that have no batch (matrix) form.

Why: each scalar chapter's gradients are also written in matrix form and checked entry by
entry; when that cannot be done (a model derive cannot write densely, a time limit) the
report says so instead of silently listing fewer forms.

Example::

    -> DV309 vectorized: no vectorized form: ...
"""
from __future__ import annotations

from .base import Message

CODE = "DV309"
KIND = "vectorized"


class NoVectorizedForm(Message):
    severity = "info"
    template = "no vectorized form: {why}"
