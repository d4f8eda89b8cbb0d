"""rtkq benchmarks: ``make bench`` (``python -m benchmarks``)."""
