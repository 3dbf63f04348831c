"""Pre-visit feedback from young people and professionals, through single-use links."""
