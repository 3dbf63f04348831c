"""Regulation 45: the six-monthly review of the quality of care."""
