"""The matching engine: embeddings, the vector index, ranking, scoring and its words."""
