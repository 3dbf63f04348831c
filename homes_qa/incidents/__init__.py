"""Incidents and notifications: need-to-know, Regulation 40, LADO, restraint, data breaches, SARs."""
