"""Continuum: the living manual of recommendations of Europe's local police forces.

The build is a pipeline, one module a stage:
read (files → documents) → validate (documents → records + problems) → merge (records → Manual)
→ render (Manual → site, PDF, exports).
"""

__version__ = "0.1.0"
