"""The command line: `python -m analytics`, a thin layer over the package."""
