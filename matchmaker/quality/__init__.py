"""How good the suggestions are: the evaluation report `make eval` writes, read and shown."""
