"""Akhbar: an open benchmark for information extraction from Arabic news."""

__version__ = "0.1.0"
BENCHMARK_VERSION = __version__
