"""The HTTP API and dashboard for supervisors and employers."""
