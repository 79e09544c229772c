"""Sphinx configuration of the API reference (``./run docs``; CI builds it with warnings as errors)."""

project = "communitylab"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
html_theme = "alabaster"
exclude_patterns = ["_build"]
nitpicky = False
