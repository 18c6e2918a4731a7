"""Audiences: the expression language, the bitmap index, saved segments, clusters."""
