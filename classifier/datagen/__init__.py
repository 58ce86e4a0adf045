"""Starter-dataset generator: hand-written phrase lists and frames -> Rasa NLU YAML."""
