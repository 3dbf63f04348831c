"""Regulation 44: the independent person's visits, reports, registers and distribution."""
