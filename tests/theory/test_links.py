"""The variables of a link on R^q."""

import pytest

from gfverify.errors import InputError
from gfverify.theory.hermite import Z
from gfverify.theory.links import link_variables


@pytest.mark.parametrize("q", [2, 3, 5])
def test_q_real_variables_z1_to_zq(q):
    zs = link_variables(q)
    assert [str(v) for v in zs] == [f"z{i}" for i in range(1, q + 1)]
    assert all(v.is_real for v in zs) and len(set(zs)) == q


def test_one_variable_is_z():
    assert link_variables(1) == [Z]


def test_q_below_one_is_input_error():
    with pytest.raises(InputError, match="at least 1"):
        link_variables(0)
