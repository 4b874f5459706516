"""``python -m autodiff``: the command-line interface (see :mod:`autodiff.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
