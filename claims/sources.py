"""The numbered statements of the project's theory document (``docs/theory.md``): every claim
cites one of them, so a reader can go from a claim to the sentence it checks and back."""

from __future__ import annotations

from dataclasses import dataclass

PAPERS = {
    "A": "[A] Bietti, Bruna, Pillaud-Vivien, On Learning Gaussian Multi-index Models with "
         "Gradient Flow (arXiv:2310.19793)",
    "B": "[B] Chen, Muñoz Ewald, Gradient flow in parameter space is equivalent to linear "
         "interpolation in output space (arXiv:2408.01517)",
}

#: number -> (paper, section of docs/theory.md, what the statement is about)
STATEMENTS: dict[str, tuple[str, str, str]] = {
    "C1": ("A", "Conventions", "the normalized Hermite polynomials are orthonormal"),
    "C2": ("A", "Conventions", "Hermite expansion and Parseval"),
    "C3": ("A", "Conventions", "Stein's route to the coefficients"),
    "C4": ("A", "Conventions", "information exponent"),
    "A1": ("A", "Averaging operator", "conditional expectation"),
    "A2": ("A", "Averaging operator", "adjoint"),
    "A3": ("A", "Averaging operator", "semigroup and endpoints"),
    "A4": ("A", "Averaging operator", "tensor action and Mehler"),
    "A5": ("A", "Averaging operator", "eigenfunctions"),
    "A6": ("A", "Averaging operator", "norm identity and contraction"),
    "A7": ("A", "Averaging operator", "monotonicity"),
    "A8": ("A", "Averaging operator", "Gaussian kernels"),
    "A9": ("A", "Two-timescale problem", "optimal link and reduced loss"),
    "A10": ("A", "Two-timescale problem", "reduced ODE"),
    "A11": ("A", "Two-timescale problem", "random start"),
    "A12": ("A", "Two-timescale problem", "global convergence"),
    "A13": ("A", "Timescales", "exact escape time"),
    "A14": ("A", "Timescales", "single-index escape asymptotics"),
    "A15": ("A", "Timescales", "saddle-to-saddle stages"),
    "A16": ("A", "Planted problem", "planted loss and ODE"),
    "A17": ("A", "Planted problem", "planted escape times and the negative start"),
    "A18": ("A", "Planted problem", "spurious attractors"),
    "A19": ("A", "Finite ridge", "population link at finite ridge"),
    "A20": ("A", "Online SGD", "online SGD follows the reduced ODE"),
    "B1": ("B", "Standard and adapted flows", "standard flow and the neural tangent kernel"),
    "B2": ("B", "Standard and adapted flows", "adapted flow is projected gradient flow"),
    "B3": ("B", "Standard and adapted flows", "homotopy between the flows"),
    "B4": ("B", "Full rank", "linear interpolation at full rank"),
    "B5": ("B", "Rank deficiency", "the deviation from the segment"),
    "B6": ("B", "Cross-entropy", "conservation and the limit with positive labels"),
    "B7": ("B", "Negative controls", "curved standard flow and the stalled under-parametrized model"),
}


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: the paper, the section of ``docs/theory.md`` and the number of
    the statement there (e.g. ``A3``)."""

    paper: str
    section: str
    statement: str

    def __str__(self) -> str:
        return f"{PAPERS[self.paper]}; docs/theory.md §{self.section}, statement {self.statement}"

    def as_json(self) -> dict:
        return {"paper": self.paper, "section": self.section, "statement": self.statement}


def source(number: str) -> Source:
    """The :class:`Source` of statement ``number`` of ``docs/theory.md`` (``KeyError`` if none)."""
    paper, section, _ = STATEMENTS[number]
    return Source(paper, section, number)
