"""The valley's mailing list: anyone subscribes to themes (double opt-in); facilitators send."""
