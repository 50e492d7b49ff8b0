"""The map of Uusimaa and the network of organisations linked by matches."""
