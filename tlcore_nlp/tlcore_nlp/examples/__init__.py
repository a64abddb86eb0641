"""Runnable tutorials of the nlp plugin (``tlcore run word2vec|ptb-lstm|generate-text``)."""
