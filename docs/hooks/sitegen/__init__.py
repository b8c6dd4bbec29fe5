"""Generators of the Akhbar documentation site: every number and table comes from the data at build time.

The mkdocs hook (``docs/hooks/akhbar_docs.py``) calls these pure functions; each
returns Markdown, HTML or SVG text from the built dataset (``dataset/``), the JSON
Schemas, the CLI's own parser and the committed result files.
"""
