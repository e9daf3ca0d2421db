"""Sphinx configuration of the course website (used by ``python -m tools.site``).

The site is built from a staging folder that ``tools/site/build.py`` fills with the
executed student notebooks, the datasheets, the instructor guide and a landing page.
Everything the pages load ships with the installed packages: no CDN, no fonts or
scripts from the network (the browser test checks that no request leaves the machine).
"""

project = "Open Source AI & Economics"
author = "the course authors"
copyright = "the course authors, MIT licence"

extensions = ["myst_nb"]
# The notebooks arrive executed; Sphinx only renders them.
nb_execution_mode = "off"
myst_enable_extensions = []  # no dollar math: "$2.00" is a price here, not LaTeX
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False  # the executed notebooks are not offered for download
html_show_sourcelink = False
html_show_sphinx = False
html_static_path = ["_static"]
# Before the theme's own scripts: no console error on a first visit (see the file).
html_js_files = [("theme-mode.js", {"priority": 100})]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}
html_last_updated_fmt = None
