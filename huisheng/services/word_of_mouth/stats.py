"""The tail probabilities the alert job needs, computed here so the app needs no scipy.

P(X ≥ k) for X ~ Poisson(λ) equals the regularized lower incomplete gamma function P(k, λ); it is
evaluated with its power series below k + 1 and with Lentz's continued fraction for Q = 1 − P above it
(Numerical Recipes §6.2), which stays accurate in the far tail where summing pmf terms would cancel.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 10_000


def poisson_upper_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if lam < k + 1:
        return _lower_gamma_series(k, lam)
    return 1.0 - _upper_gamma_fraction(k, lam)


def _lower_gamma_series(a: int, x: float) -> float:
    term = total = 1.0 / a
    n = a
    for _ in range(_MAX_ITER):
        n += 1
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return min(1.0, total * math.exp(-x + a * math.log(x) - math.lgamma(a)))


def _upper_gamma_fraction(a: int, x: float) -> float:
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return min(1.0, math.exp(-x + a * math.log(x) - math.lgamma(a)) * h)


def two_proportion_z(hits_now: int, total_now: int, hits_before: int, total_before: int) -> float | None:
    """The pooled two-proportion z statistic of share now against share before (None without data)."""
    if total_now == 0 or total_before == 0:
        return None
    pooled = (hits_now + hits_before) / (total_now + total_before)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_now + 1 / total_before))
    if spread == 0:
        return None
    return (hits_now / total_now - hits_before / total_before) / spread
