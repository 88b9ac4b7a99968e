"""A formula evaluated with mpmath at a working precision, at given values of its
symbols: the randomized identity test's arithmetic (derive.calculus.equivalence)."""
from __future__ import annotations

import mpmath
import sympy

from ..model import activations


class NotPlain(Exception):
    """A node type the direct mpmath evaluation does not know (or a complex value)."""


MP_FUNCTIONS = {sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.tanh: mpmath.tanh,
                 sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh}


def mp_value(e: sympy.Expr, values: dict, seen: dict):
    """e with mpmath at the working precision, the symbols at ``values`` (a forward pass
    or a gradient: sums, products, powers, exp/log/tanh, activations). Raises NotPlain
    for anything else, and for complex values, so that SymPy's evalf decides those."""
    if e in seen:
        return seen[e]
    if e.is_Symbol:
        if e not in values:
            raise NotPlain(e)
        v = values[e]
        if not (v.is_Float or v.is_Rational):
            raise NotPlain(e)            # a complex node value (log of a negative, ...)
        v = mpmath.mpf(v._mpf_) if v.is_Float else mpmath.mpf(v.p) / v.q
    elif e.is_Rational:
        v = mpmath.mpf(e.p) / e.q
    elif e.is_Float:
        v = mpmath.mpf(e._mpf_)
    elif e.is_Add:
        v = mpmath.fsum(mp_value(a, values, seen) for a in e.args)
    elif e.is_Mul:
        v = mpmath.mpf(1)
        for a in e.args:
            v *= mp_value(a, values, seen)
    elif e.is_Pow:
        base, n = e.args
        b = mp_value(base, values, seen)
        if n.is_Integer:
            v = b ** int(n) if n >= 0 else 1 / b ** int(-n)
        elif b > 0:
            v = mpmath.power(b, mp_value(n, values, seen))
        else:
            raise NotPlain(e)
    elif type(e) in MP_FUNCTIONS:
        x = mp_value(e.args[0], values, seen)
        if type(e) is sympy.log and x <= 0:
            raise NotPlain(e)
        v = MP_FUNCTIONS[type(e)](x)
    elif isinstance(e, activations.Activation):
        v = mp_value(e.elementary(), values, seen)
    elif isinstance(e, activations.ActivationPrime):
        v = mp_value(e.expand_prime(), values, seen)
    elif e is sympy.E:
        v = mpmath.e
    elif e is sympy.pi:
        v = +mpmath.pi
    else:
        raise NotPlain(e)
    if isinstance(v, mpmath.mpc):
        raise NotPlain(e)
    seen[e] = v
    return v
