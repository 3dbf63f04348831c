"""The start page: the overview of homes ranked by late work."""
