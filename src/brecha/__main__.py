"""``python -m brecha``: the same command line as the ``brecha`` console script."""

from .cli import main

main()
