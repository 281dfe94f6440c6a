"""Route modules; each exports ``routes``."""
