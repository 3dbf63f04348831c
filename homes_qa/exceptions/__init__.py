"""Exceptions: each role's work, the homes × areas RAG grid, the items behind each cell, exports."""
