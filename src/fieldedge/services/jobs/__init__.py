"""Scheduled jobs over every company's data (payment reminders, the visit digest).

Each is an ``async def job(deps) -> dict`` the jobs registry runs by name; each walks
the companies in system scope, then does one tenant-scoped unit of work per company, so
row-level security holds inside the job exactly as it does for a request.
"""
