"""Alert delivery to webhook receivers, in Prometheus Alertmanager's format."""
