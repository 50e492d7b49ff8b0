"""Workshop brokerage: a day of 1:1 meetings between organisations, scheduled by a solver."""
