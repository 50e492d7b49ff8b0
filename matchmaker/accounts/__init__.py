"""People and their access: users, sessions, tokens, invitations, e-mail."""
