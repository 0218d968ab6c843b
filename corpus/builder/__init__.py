"""Builds the generated formats (PDF, DOCX, HTML) of the demo corpus from Markdown sources."""
