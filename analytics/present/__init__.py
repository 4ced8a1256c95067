"""Turning numbers into what people read: formatting, labels, colours, charts, text, exports, templates."""
