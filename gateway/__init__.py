"""The gateway: HTTP app, intake pipeline, dialogue policy, sessions, work orders, CLI, settings."""

__version__ = "0.1.0"
