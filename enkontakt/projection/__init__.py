"""The SQL projection of views, alerts and employer notices."""

from enkontakt.projection.store import Projection, default_database_url

__all__ = ["Projection", "default_database_url"]
