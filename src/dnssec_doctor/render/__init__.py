"""Renderers: a diagnosis to text, JSON, HTML, DOT, each escaping DNS data for its sink."""
