"""Signed webhooks: endpoints, the events company writes raise, and their delivery."""
