"""Home pages: the homes a user may see and what is due in each."""
