"""Obligation pages: record that a check was done, waive, and whole-service work."""
