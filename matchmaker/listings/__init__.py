"""Offers and needs: creating and changing them, who sees what, their API and pages."""
