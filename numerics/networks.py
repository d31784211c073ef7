"""Small models ``θ ∈ R^K ↦ x(θ) ∈ R^{QN}`` and their exact Jacobians ``D = ∂x/∂θ`` at the
current mpmath precision (docs/theory.md [B]).

Outputs are stacked point by point, ``x[j*Q + q] = x_j(θ)_q``. Vectors are lists of ``mpf``
and ``D`` a list of rows (``QN`` rows of length ``K``); :func:`as_matrix` gives an
``mpmath.matrix``. Lists are used inside because every flow step evaluates ``D`` hundreds of
times and ``mpmath.matrix`` indexing costs several times more than list access.
Random instances draw float64 numbers from ``numpy.random.default_rng(seed)``; a float64 is
an exact binary rational, so every precision sees exactly the same instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import mpmath
import numpy as np

from gfverify.errors import InputError

Vector = list
Rows = list

ACTIVATIONS = ("tanh", "softplus")


class Model(Protocol):
    """A differentiable model: ``n_params = K`` parameters, ``n_outputs = QN`` outputs of
    ``n_points = N`` data points (the cost is ``|x − y|² / (2N)``)."""

    n_params: int
    n_outputs: int
    n_points: int

    def outputs(self, theta: Sequence) -> Vector: ...

    def outputs_and_jacobian(self, theta: Sequence) -> tuple[Vector, Rows]: ...


def as_matrix(rows: Rows) -> mpmath.matrix:
    """A list of rows as an ``mpmath.matrix``."""
    return mpmath.matrix(rows)


def _mp(values) -> Vector:
    return [mpmath.mpf(v) for v in values]


class Arithmetic:
    """The scalar operations the network needs, for one number type: ``lift`` (from an exact
    float), ``dot``, ``tanh``, ``exp``, ``log1p``. :data:`MPMATH` works with ``mpf``;
    :func:`arb_arithmetic` with python-flint ``arb`` balls (their midpoints are used)."""

    def __init__(self, lift, dot, tanh, exp, log1p) -> None:
        self.lift, self.dot, self.tanh, self.exp, self.log1p = lift, dot, tanh, exp, log1p

    def activation(self, name: str, z):
        """``(σ(z), σ'(z))`` for tanh or softplus ``log(1 + e^z)`` (derivative the logistic);
        both number types have an unbounded exponent range, so ``e^z`` cannot overflow."""
        if name == "tanh":
            a = self.tanh(z)
            return a, 1 - a * a
        e = self.exp(z)
        return self.log1p(e), e / (1 + e)


MPMATH = Arithmetic(mpmath.mpf, mpmath.fdot, mpmath.tanh, mpmath.exp, mpmath.log1p)


def arb_arithmetic() -> Arithmetic:
    """python-flint ``arb`` arithmetic (raises ImportError when python-flint is missing)."""
    from flint import arb

    def dot(a, b):
        total = arb(0)
        for x, y in zip(a, b):
            total += x * y
        return total

    return Arithmetic(arb, dot, lambda z: z.tanh(), lambda z: z.exp(), lambda z: z.log1p())


@dataclass(frozen=True)
class MLP:
    """A fully connected network ``widths = (d, h_1, …, h_{L-1}, Q)`` with activation after
    every hidden layer and a linear last layer. Parameters flattened layer by layer, each
    layer as its weight matrix ``W_l`` (row-major, ``h_l × h_{l-1}``) then its bias ``b_l``."""

    widths: tuple[int, ...]
    inputs: tuple[tuple[float, ...], ...]
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if len(self.widths) < 2 or any(w < 1 for w in self.widths):
            raise InputError(f"widths must be at least two positive integers, got {self.widths}")
        if self.activation not in ACTIVATIONS:
            raise InputError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if any(len(p) != self.widths[0] for p in self.inputs):
            raise InputError(f"every input must have dimension {self.widths[0]}")

    @property
    def n_params(self) -> int:
        return sum(a * b + b for a, b in zip(self.widths[:-1], self.widths[1:]))

    @property
    def n_points(self) -> int:
        return len(self.inputs)

    @property
    def n_outputs(self) -> int:
        return self.widths[-1] * self.n_points

    def _layers(self, theta: Sequence) -> list[tuple[list, list, int]]:
        """``[(W rows, b, offset)]``: the weights of each layer and where they start in θ."""
        if len(theta) != self.n_params:
            raise InputError(f"θ has length {len(theta)}, the network has {self.n_params} parameters")
        layers, pos = [], 0
        for a, b in zip(self.widths[:-1], self.widths[1:]):
            W = [list(theta[pos + i * a: pos + (i + 1) * a]) for i in range(b)]
            bias = list(theta[pos + a * b: pos + a * b + b])
            layers.append((W, bias, pos))
            pos += a * b + b
        return layers

    def _forward(self, layers, point, ar: Arithmetic) -> tuple[list, list, Vector]:
        """Activations entering each layer, activation derivatives, and the output."""
        a = [ar.lift(v) for v in point]
        acts, derivs = [], []
        for W, bias, _ in layers[:-1]:
            acts.append(a)
            pairs = [ar.activation(self.activation, ar.dot(row, a) + c) for row, c in zip(W, bias)]
            a = [p[0] for p in pairs]
            derivs.append([p[1] for p in pairs])
        acts.append(a)
        W, bias, _ = layers[-1]
        return acts, derivs, [ar.dot(row, a) + c for row, c in zip(W, bias)]

    def outputs(self, theta: Sequence, ar: Arithmetic = MPMATH) -> Vector:
        """``x(θ)``: the network on every input, stacked."""
        layers = self._layers(theta)
        out: Vector = []
        for point in self.inputs:
            out.extend(self._forward(layers, point, ar)[2])
        return out

    def outputs_and_jacobian(self, theta: Sequence, ar: Arithmetic = MPMATH) -> tuple[Vector, Rows]:
        """``x(θ)`` and ``D = ∂x/∂θ`` by backpropagation (one backward pass per output), in the
        number type of ``ar`` (θ given in that type)."""
        layers = self._layers(theta)
        K, zero, one = self.n_params, ar.lift(0), ar.lift(1)
        out: Vector = []
        rows: Rows = []
        for point in self.inputs:
            acts, derivs, x = self._forward(layers, point, ar)
            out.extend(x)
            for q in range(self.widths[-1]):
                row = [zero] * K
                # last layer: ∂x_q/∂W_L[q, i] = a_i, ∂x_q/∂b_L[q] = 1, ∂x_q/∂a = W_L[q, :]
                W, _, pos = layers[-1]
                width_in = len(acts[-1])
                row[pos + q * width_in: pos + (q + 1) * width_in] = acts[-1]
                row[pos + len(W) * width_in + q] = one
                grad_a = list(W[q])
                for layer in range(len(layers) - 2, -1, -1):
                    W, _, pos = layers[layer]
                    g = [ga * d for ga, d in zip(grad_a, derivs[layer])]
                    a_in = acts[layer]
                    n_in = len(a_in)
                    for i, gi in enumerate(g):
                        row[pos + i * n_in: pos + (i + 1) * n_in] = [gi * ak for ak in a_in]
                    row[pos + len(W) * n_in: pos + len(W) * n_in + len(W)] = g
                    if layer:
                        grad_a = [ar.dot([W[i][k] for i in range(len(W))], g) for k in range(n_in)]
                rows.append(row)
        return out, rows


@dataclass(frozen=True)
class LinearModel:
    """``x(θ) = A θ + c`` with ``A ∈ R^{QN×K}``: ``D = A`` is constant, so its rank cannot drop."""

    A: tuple[tuple[float, ...], ...]
    c: tuple[float, ...]
    n_points: int

    @property
    def n_params(self) -> int:
        return len(self.A[0])

    @property
    def n_outputs(self) -> int:
        return len(self.A)

    def outputs(self, theta: Sequence) -> Vector:
        return [mpmath.fdot(_mp(row), theta) + ci for row, ci in zip(self.A, _mp(self.c))]

    def outputs_and_jacobian(self, theta: Sequence) -> tuple[Vector, Rows]:
        return self.outputs(theta), [_mp(row) for row in self.A]


@dataclass(frozen=True)
class GraphModel:
    """``x(θ) = (θ, tanh(B θ + b))``: ``D = [I; diag(1 − tanh²) B]`` has rank ``K`` for every θ
    (the identity block), so an under-parametrized flow keeps constant rank."""

    B: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]

    @property
    def n_params(self) -> int:
        return len(self.B[0])

    @property
    def n_outputs(self) -> int:
        return self.n_params + len(self.B)

    @property
    def n_points(self) -> int:
        return self.n_outputs

    def outputs(self, theta: Sequence) -> Vector:
        return list(theta) + [mpmath.tanh(mpmath.fdot(_mp(row), theta) + bi)
                              for row, bi in zip(self.B, _mp(self.b))]

    def outputs_and_jacobian(self, theta: Sequence) -> tuple[Vector, Rows]:
        K = self.n_params
        one, zero = mpmath.mpf(1), mpmath.mpf(0)
        rows = [[one if i == k else zero for k in range(K)] for i in range(K)]
        out = list(theta)
        for row, bi in zip(self.B, _mp(self.b)):
            a = mpmath.tanh(mpmath.fdot(_mp(row), theta) + bi)
            out.append(a)
            rows.append([(1 - a * a) * mpmath.mpf(w) for w in row])
        return out, rows


@dataclass(frozen=True)
class Problem:
    """A model, its starting parameters ``θ0`` and its targets ``y`` (floats, exact as binary
    rationals; :meth:`theta0_mp` and :meth:`y_mp` give them at the current precision)."""

    model: object
    theta0: tuple[float, ...]
    y: tuple[float, ...]
    name: str

    def theta0_mp(self) -> Vector:
        return _mp(self.theta0)

    def y_mp(self) -> Vector:
        return _mp(self.y)


def parse_widths(text: str) -> tuple[int, ...]:
    """``"2,8,2"`` → ``(2, 8, 2)``; anything else is an :class:`InputError`."""
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise InputError("widths must be comma-separated positive integers like 2,8,2, "
                         f"got {text!r}") from None
    if len(widths) < 2 or any(w < 1 for w in widths):
        raise InputError(f"widths must be at least two positive integers like 2,8,2, got {text!r}")
    return widths


def random_mlp(widths: Sequence[int], n: int, seed: int, activation: str = "tanh",
               require_overparametrized: bool = True) -> Problem:
    """A seeded random MLP on ``n`` standard Gaussian inputs, weights ``N(0, 1/fan_in)``,
    biases ``N(0, 1/4)``, Gaussian targets ``y``. With ``require_overparametrized``,
    ``K < QN`` is an :class:`InputError` (the full-rank theory of [B] 4 needs ``K ≥ QN``)."""
    widths = tuple(int(w) for w in widths)
    if n < 1:
        raise InputError(f"the number of points must be positive, got {n}")
    rng = np.random.default_rng(seed)
    inputs = tuple(tuple(float(v) for v in rng.standard_normal(widths[0])) for _ in range(n))
    model = MLP(widths, inputs, activation)
    if require_overparametrized and model.n_params < model.n_outputs:
        raise InputError(f"widths {','.join(map(str, widths))} give K = {model.n_params} parameters "
                         f"< QN = {model.n_outputs} outputs: the adapted flow needs K >= QN")
    theta: list[float] = []
    for a, b in zip(widths[:-1], widths[1:]):
        theta.extend(float(v) for v in rng.standard_normal(a * b) / np.sqrt(a))
        theta.extend(float(v) for v in rng.standard_normal(b) / 2)
    y = tuple(float(v) for v in rng.standard_normal(model.n_outputs))
    name = f"{activation} {','.join(map(str, widths))} on N={n} (seed {seed})"
    return Problem(model, tuple(theta), y, name)


def random_linear(n_outputs: int, n_params: int, seed: int, n_points: int | None = None) -> Problem:
    """A seeded linear model ``x = Aθ + c`` (Gaussian ``A``, ``c``, ``θ0``, ``y``)."""
    rng = np.random.default_rng(seed)
    A = tuple(tuple(float(v) for v in row) for row in rng.standard_normal((n_outputs, n_params)))
    c = tuple(float(v) for v in rng.standard_normal(n_outputs))
    model = LinearModel(A, c, n_points or n_outputs)
    theta = tuple(float(v) for v in rng.standard_normal(n_params))
    y = tuple(float(v) for v in rng.standard_normal(n_outputs))
    return Problem(model, theta, y, f"linear {n_outputs}x{n_params} (seed {seed})")


def random_graph(n_params: int, n_extra: int, seed: int) -> Problem:
    """A seeded graph model ``x = (θ, tanh(Bθ + b))`` with ``n_extra`` tanh outputs."""
    rng = np.random.default_rng(seed)
    B = tuple(tuple(float(v) for v in row) for row in rng.standard_normal((n_extra, n_params)))
    b = tuple(float(v) for v in rng.standard_normal(n_extra) / 2)
    model = GraphModel(B, b)
    theta = tuple(float(v) for v in rng.standard_normal(n_params))
    y = tuple(float(v) for v in rng.standard_normal(model.n_outputs))
    return Problem(model, theta, y, f"graph K={n_params}, +{n_extra} tanh (seed {seed})")
