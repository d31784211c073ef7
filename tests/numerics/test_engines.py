"""GFVERIFY_ENGINES switches the optional engines off in one place (numerics/engines.py)."""

import mpmath
import pytest

from gfverify.errors import InputError
from gfverify.numerics import engines, quadrature


@pytest.mark.parametrize("text, expected", [
    ("", {"flint", "heyoka"}), ("all", {"flint", "heyoka"}), ("pure", set()), ("none", set()),
    ("flint", {"flint"}), (" heyoka , flint ", {"flint", "heyoka"}),
])
def test_enabled_reads_the_variable(monkeypatch, text, expected):
    monkeypatch.setenv(engines.VARIABLE, text)
    assert engines.enabled() == expected


def test_unknown_engine_is_an_input_error(monkeypatch):
    monkeypatch.setenv(engines.VARIABLE, "flint,gpu")
    with pytest.raises(InputError, match="unknown engine gpu"):
        engines.enabled()


def test_pure_switches_every_engine_off(monkeypatch):
    monkeypatch.setenv(engines.VARIABLE, "pure")
    assert not engines.available("flint") and not engines.available("heyoka")
    assert engines.module("flint") is None


def test_pure_quadrature_uses_newton(monkeypatch):
    """With the engines off the Gauss–Legendre rule is Newton's, bit for bit."""
    monkeypatch.setenv(engines.VARIABLE, "pure")
    with mpmath.workdps(30):
        rule = quadrature.gauss_legendre(9)
        with mpmath.workprec(mpmath.mp.prec + 20):
            newton = quadrature._newton_legendre(9)
        assert rule == [(+x, +w) for x, w in newton]


def test_flint_quadrature_when_enabled(monkeypatch):
    pytest.importorskip("flint")
    monkeypatch.delenv(engines.VARIABLE, raising=False)
    assert engines.available("flint")
    with mpmath.workdps(30):
        fast = sorted(quadrature.gauss_legendre(9))
        monkeypatch.setenv(engines.VARIABLE, "pure")
        slow = sorted(quadrature.gauss_legendre(9))
    assert fast != slow  # two routes (they agree to the working precision, not bit for bit)
    assert all(abs(a[0] - b[0]) < mpmath.mpf(10) ** -29 for a, b in zip(fast, slow))


def test_every_engine_choice_consults_the_switch(monkeypatch):
    """With GFVERIFY_ENGINES=pure each call site takes its pure-Python route."""
    from gfverify.numerics import averaging, flint_field, heyoka_engine, ode
    from gfverify.numerics.networks import random_mlp

    model = random_mlp([2, 3, 1], 2, 0).model
    monkeypatch.setenv(engines.VARIABLE, "pure")
    assert ode.available_engines() == ["taylor"]
    assert not heyoka_engine.available()
    assert not flint_field.available(model)
    assert averaging._flint() is None


def test_module_refuses_a_name_outside_the_optional_engines():
    with pytest.raises(ValueError, match="unknown optional engine"):
        engines.module("gpu")


def test_an_engine_that_cannot_be_imported_is_unavailable(monkeypatch):
    """Enabled but not importable (sys.modules entry None makes the import fail): unavailable."""
    import sys

    monkeypatch.delenv(engines.VARIABLE, raising=False)
    monkeypatch.setitem(sys.modules, "heyoka", None)
    assert engines.module("heyoka") is None and not engines.available("heyoka")
