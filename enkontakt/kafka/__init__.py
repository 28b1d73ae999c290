"""Kafka plumbing: the embedded broker, topic administration and the stream-app factory."""
