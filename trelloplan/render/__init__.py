"""Renderers: a report as text, JSON, CSV, Markdown, HTML, PNG charts and email."""
