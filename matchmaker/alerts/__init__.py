"""Alerts and digests: members hear of new strong suggestions and saved-search results."""
