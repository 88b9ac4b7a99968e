"""DV110 samples: a side that is no sum of per-sample terms, read with the samples kept.

Why: a side like (\\sum_i a^{(i)}) (\\sum_i x^{(i)}) mixes samples; it cannot be any
sample's gradient, and read with every sample kept it is not the batch-mean gradient
either. The fix offered is the batch-mean form of the gradient.

Example::

    \\frac{\\partial J}{\\partial w} = \\frac{1}{m}\\sum_i (a^{(i)} - y^{(i)}) \\sum_i x^{(i)}
    -> DV110 samples: this side is not a sum of per-sample terms (...); read with the
       samples kept, it is not the batch-mean gradient
"""
from __future__ import annotations

from .base import Message

CODE = "DV110"
KIND = "samples"


class KeptSamples(Message):
    template = ("this side is not a sum of per-sample terms ({detail}); read with the "
                "samples kept, it is not the batch-mean gradient")
