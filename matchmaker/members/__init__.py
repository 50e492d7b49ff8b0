"""A member's side of the valley: their organisation's page, and asking for introductions."""
