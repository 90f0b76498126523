# Sphinx configuration of the collection's docs site (`make docs`, tools/docs.sh).
# Offline: no intersphinx inventories are fetched, so references to other
# collections' pages stay plain text.
project = "fastapi_ops.server"
copyright = "fastapi_ops.server contributors"
title = "fastapi_ops.server"
html_short_title = "fastapi_ops.server"
extensions = ["sphinx.ext.autodoc", "sphinx_antsibull_ext", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_theme_options = {"vcs_pageview_mode": "blob"}
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
nitpicky = True
