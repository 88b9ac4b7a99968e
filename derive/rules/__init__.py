"""The rules: one module per kind of finding, each with a stable code (``DV102``).

Every module holds its code and kind (``CODE``, ``KIND``), a docstring with the rationale
and an example, the message classes it reports, and, where the rule is a check of its own,
the function that checks it. :mod:`derive.rules.registry` lists them; this package imports
none of them, so that a low layer (the model, the numeric route) may report a finding
without importing the rules that use the model.
"""
