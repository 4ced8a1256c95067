"""Indicators over canonical frames: selection, indicators, progress, 三力一度, stars, the report."""
