"""The reduction in d dimensions (A10, A16): the d-dimensional Stiefel flow projected to M PASSes
against the reduced ODE and FAILs, through the same comparison, against the G = MᵀM ODE or the
other model's ODE, or with a wrong gradient."""

import sympy

from gfverify.claims.statements import stiefel_reduction as SR

SHORT = sympy.Rational(1, 4)


def test_reduced_ode_passes_and_its_MtM_twin_fails(verdict):
    def compare(gram):
        return lambda dps: SR._compare(dps, SR.QUICK, [SR.Z1, SR.Z2], SR.M0_2, SHORT, 6, gram=gram)
    assert verdict(compare("MMT"), "A10", kind="ode", dps=20) == "PASS"
    assert verdict(compare("MTM"), "A10", kind="ode", dps=20) == "FAIL"


def test_planted_flow_is_not_the_two_timescale_ode(verdict):
    """The planted d-dimensional flow against the planted ODE PASSes; the two-timescale
    d-dimensional flow against the planted ODE (the models swapped) FAILs."""
    def planted(dps):
        return SR._compare(dps, SR.PLANTED, [SR.Z1, SR.Z2], SR.M0_2, SHORT, 6, planted=True)

    def swapped(dps):
        reduced, _ = SR._reduced(SR.PLANTED, [SR.Z1, SR.Z2], SR.M0_2, SHORT, dps, planted=True)
        times = [SHORT * j / SR.SAMPLES for j in range(1, SR.SAMPLES + 1)]
        run = SR.sf.projected_run(SR.PLANTED, [SR.Z1, SR.Z2], SR.M0_2, times, 6, "two-timescale")
        return SR.versus_numeric(reduced, run, dps, "swapped models", relative=False)
    assert verdict(planted, "A16", kind="ode", dps=20) == "PASS"
    assert verdict(swapped, "A16", kind="ode", dps=20) == "FAIL"


def test_relu_planted_flow_passes_and_a_wrong_coefficient_fails(verdict):
    """The planted relu-sum flow with quadrature Stein coefficients PASSes against the planted
    arc-cosine ODE; the same flow with relu'(u_i) replaced by H(u_i − ½) in A FAILs (same judge)."""
    def compare(threshold):
        return lambda dps: SR._relu_planted_compare(dps, 6, SHORT, threshold=threshold)
    assert verdict(compare(0), "A16", kind="ode", dps=20) == "PASS"
    assert verdict(compare(sympy.Rational(1, 2)), "A16", kind="ode", dps=20) == "FAIL"


def test_relu_two_timescale_flow_passes_and_its_twins_fail(verdict):
    """The two-timescale relu-sum flow (orthant-probability Stein coefficients) PASSes against
    the reduced arc-cosine ODE; through the same comparison the planted gradient (the claim's
    negative control) and K evaluated at MᵀM instead of MMᵀ FAIL."""
    def compare(**kw):
        return lambda dps: SR._relu_compare(dps, 6, SHORT, **kw)
    assert verdict(compare(), "A10", kind="ode", dps=20) == "PASS"
    assert verdict(compare(model="planted"), "A10", kind="ode", dps=20) == "FAIL"
    assert verdict(compare(gram="MTM"), "A10", kind="ode", dps=20) == "FAIL"


def test_every_reduction_claim_is_registered():
    from gfverify.claims import registry

    ids = {c.id for c in registry.all_claims() if c.id.startswith("A.stiefel_reduction")}
    assert ids == {"A.stiefel_reduction", "A.stiefel_reduction_d300", "A.stiefel_reduction_q3",
                   "A.stiefel_reduction_MtM", "A.stiefel_reduction_planted",
                   "A.stiefel_reduction_planted_d300", "A.stiefel_reduction_planted_relu",
                   "A.stiefel_reduction_planted_relu_d300", "A.stiefel_reduction_planted_relu_q3",
                   "A.stiefel_reduction_relu", "A.stiefel_reduction_relu_d300",
                   "A.stiefel_reduction_relu_q3", "A.stiefel_reduction_relu_planted"}
