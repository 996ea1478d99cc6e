"""The answer-quality benchmark: ``python -m bench.answers`` (see ``__main__``)."""
