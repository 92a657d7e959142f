"""Benchmarks of the `rag` engine (GitHub issue 5): `python -m bench [--full]`.

Every speed figure is a ratio against a reference measured in the same process (or the
same run, for subprocess timings), interleaved with it, because this 2-core machine is
shared and drifts by 2-5x within minutes; absolute milliseconds are reported alongside
for orientation only.
"""
