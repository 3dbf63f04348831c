"""Administration: people, homes and who is assigned where."""
