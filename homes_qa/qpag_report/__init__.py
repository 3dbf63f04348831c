"""The QPAG monthly report (seed 002 §8.2–8.4): drafted from the month's records, commented on
by service managers, finalised (locked), printed and downloaded as a PDF."""
