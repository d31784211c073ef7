"""Tests of the exact witnesses: degrees, symmetric tensors, monomial bases."""

import sympy

from gfverify.theory.witnesses import LINKS, ZS, describe, link_degree, monomials, symbolic, symmetric_tensor


def test_links_have_odd_and_even_parts():
    for q, f in LINKS.items():
        degrees = {sum(m) for m in sympy.Poly(f, *ZS[q]).monoms()}
        assert max(degrees) == link_degree(q) and {d % 2 for d in degrees} == {0, 1}
    assert describe((1, 3)) == "q = 1 (deg 4), q = 3 (deg 3)"


def test_symmetric_tensor_and_monomials():
    T = symmetric_tensor("t", 2, 3)
    assert T[0, 1, 1] == T[1, 0, 1] == T[1, 1, 0] != T[0, 0, 1]
    assert len(T.free_symbols) == 4  # multisets of size 3 from 2 indices
    assert len(monomials(ZS[2], 3)) == 10
    assert symbolic("n", 2)[1, 0] == sympy.Symbol("n21", real=True)


def test_the_q1_link_has_every_hermite_component_up_to_its_degree():
    """No symmetry hides a component: α_k ≠ 0 for k ≤ 4 (z⁴ − 2z³ + z/3 − 1: α_3 = −2√6 from
    z³ = He_3 + 3 He_1). Mutation triage, seed 11: −z⁴ + z/3 − 1 kept odd and even parts but lost
    α_3."""
    from gfverify.theory.hermite import hermite_coefficients

    alphas = hermite_coefficients(LINKS[1], 4, ZS[1][0])
    assert all(a != 0 for a in alphas)
    assert sympy.simplify(alphas[3] + 2 * sympy.sqrt(6)) == 0
