"""Rasa Open Source 3.6 backend: export the training data as Rasa projects, train them in the separate
Python 3.10 environment, and classify through a running server's `POST /model/parse`."""
