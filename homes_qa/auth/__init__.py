"""Sign-in, sign-out and changing one's own password."""
