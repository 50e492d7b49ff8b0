"""The matching engine: embeddings, stored vectors, the index and its sync, ranking, scoring."""
