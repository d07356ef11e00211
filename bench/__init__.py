"""Benchmarks of SecondLock, run with ``python -m bench`` (``make bench``); see README.md.

Nothing here is a test: the numbers are printed for a person to read, never asserted.
"""
