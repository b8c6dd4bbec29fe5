"""Akhbar benchmarks: a synthetic corpus generator and the runner that writes docs/performance.md."""
