"""Emergency detection for 110 / 119 / 120 / 122."""

from nlu.emergency.detector import detect, scan

__all__ = ["detect", "scan"]
