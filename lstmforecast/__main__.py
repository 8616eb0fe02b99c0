"""Run the ``lstmforecast`` command: ``python -m lstmforecast``."""

from lstmforecast.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
