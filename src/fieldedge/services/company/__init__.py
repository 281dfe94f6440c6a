"""The company account: settings, the audit log, and the platform's view of companies."""
