"""Certificate register, evidence and the Schedule 4 fire log (issue 9)."""
