"""High-precision evaluation (mpmath; python-flint where it pays) of the exact objects."""
