"""Managing a company's users."""
