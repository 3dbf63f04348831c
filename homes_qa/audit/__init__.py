"""The audit trail, browsable by home, record and person."""
