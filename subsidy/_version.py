"""The tool's version: one place, read by pyproject.toml, summary.json and `subsidy.__version__`."""

__version__ = "0.1.0"
