"""The admins' screens: themes, users, organisations, and listings waiting for approval."""
