"""DV306 missing-sum: a bias gradient with one column per sample.

Why: db = \\frac{1}{m} dZ leaves the sum over the samples out: the result has m columns
where the bias has one. Tried after every other edit, when the stated side has the bias's
rows and one column per sample.

Example::

    db^{[1]} = \\frac{1}{m} dZ^{[1]}
    -> DV306 missing-sum: shape mismatch: the left side is 3×1, the right side 3×4;
       missing sum over the samples: the stated form has one column per sample
"""
from __future__ import annotations

from .base import Message

CODE = "DV306"
KIND = "missing-sum"


class MissingSum(Message):
    template = "missing sum over the samples: the stated form has one column per sample"
