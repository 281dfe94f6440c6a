"""Passwords and tokens: the cryptography the identity use cases stand on."""
