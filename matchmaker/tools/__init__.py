"""Developer tooling the server never imports: evaluation, screenshots, model building."""
