"""Sign-up, sign-in, sessions and passwords."""
