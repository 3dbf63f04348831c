"""Ofsted inspections and the monitoring cadence they set (issue 10)."""
