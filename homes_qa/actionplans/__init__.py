"""Reg 44 action plans: the registered person's response to each recommendation, and its review."""
