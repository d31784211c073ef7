"""The one exception type for bad input, shared by every layer and turned into a
one-line message with exit code 2 by the command line."""


class InputError(ValueError):
    """Input outside the mathematical domain of a routine (e.g. ``‖N‖_op > 1``, a link not
    in L²(γ), ``d < q``); the message is one line meant for the user."""
