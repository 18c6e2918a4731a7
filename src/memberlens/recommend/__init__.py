"""Recommendations: who should be offered which SKU, and what sells together."""
