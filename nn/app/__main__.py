"""``python -m nn.app``: the ``autodiff`` command line (see :mod:`nn.app.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
