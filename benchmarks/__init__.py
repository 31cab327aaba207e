"""Benchmarks of brecha against its peers, as ratios measured in the same run.

Run from the repository root::

    python -m benchmarks                 # every case; writes benchmarks/RESULTS.md
    python -m benchmarks --smoke         # every case at tiny sizes (CI); writes a temp file
    python -m benchmarks --case pip      # one case; writes a temp file unless --out is given

Each case is a module exposing ``NAME``, ``TITLE``, ``REQUIRES`` (the
``module:attribute`` it benchmarks; a case whose module is missing is
reported as "not run: module missing") and ``run(ctx, section)``.
Benchmarks are not part of the pytest run; ``tests/test_benchmarks_smoke.py``
runs the smoke mode.
"""

CASES = ["e2sfca", "analyses", "pip", "build", "map", "scaling", "offices"]
