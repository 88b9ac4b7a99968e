"""DV310 instances: at which index values an index-notation formula was checked.

Why: ∂C/∂w_{jk} = a_k δ_j is checked once per value of j and k; the report says how many
instances held and which index values were left out because the formula does not apply
there, so that "verified" says exactly what was proved.

Example::

    -> DV310 instances: index notation: holds at each of 6 index values (j=1, k=1 …
       j=3, k=2)
"""
from __future__ import annotations

from .base import Message

CODE = "DV310"
KIND = "instances"


class Instances(Message):
    severity = "info"
    template = "{text}"
