"""The facilitators' work: the queue, the pipeline, introductions, impact, dashboard."""
