"""Sphinx configuration of the lstmforecast documentation.

Build it with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(``tests/test_docs.py`` does the same). The examples (``examples/plot_*.py``) are
executed by sphinx-gallery into the gallery (``docs/auto_examples/``, with their
figures); ``-D plot_gallery=0`` builds without running them. The examples in the
docstrings are shown, not run (the test suite runs them as doctests).
"""

import importlib
import pkgutil
import shutil
import sys
from pathlib import Path

from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the source tree, also when it is not installed

import lstmforecast  # noqa: E402

logger = logging.getLogger(__name__)

# autosummary writes one page per public name to docs/generated/ (git-ignored). Start
# from nothing, so a name removed from an ``__all__`` leaves no stale page behind
# (which -W would report as a document outside every toctree).
shutil.rmtree(HERE / "generated", ignore_errors=True)

# sphinx-gallery runs each example in the folder it reads it from, where the example
# saves its PNG files: run copies (docs/_gallery_src/, git-ignored) so that a build
# leaves the examples folder as it was.
GALLERY_SRC = HERE / "_gallery_src"
shutil.rmtree(GALLERY_SRC, ignore_errors=True)
shutil.copytree(ROOT / "examples", GALLERY_SRC, ignore=shutil.ignore_patterns("*.png"))

project = "lstmforecast"
author = "The lstmforecast developers"
copyright = "The lstmforecast developers"
release = lstmforecast.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_gallery_src", "Thumbs.db", ".DS_Store"]
# `code` in the Markdown pages is literal text, never a cross-reference.
default_role = "literal"

# -- MyST (the Markdown pages are used as they are) --------------------------------
myst_heading_anchors = 3

# -- Gallery (the examples, executed, with their figures) --------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(GALLERY_SRC),
    "gallery_dirs": str(HERE / "auto_examples"),
    "filename_pattern": r"plot_",  # run every example
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "write_computation_times": False,  # no sg_execution_times page in the sources
    "abort_on_example_error": True,
    "show_memory": False,
    "capture_repr": (),
    # examples run in as many processes as sphinx-build's -j (one without it)
    "parallel": True,
}

# -- API reference -----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections already give the types
numpydoc_show_class_members = False  # autodoc documents the methods in full
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- HTML --------------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:  # the docs extra asks for it; alabaster ships with Sphinx
    html_theme = "alabaster"
else:
    html_theme = "pydata_sphinx_theme"
html_title = f"lstmforecast {release}"
html_static_path = []
html_show_sourcelink = False


# -- Hooks -------------------------------------------------------------------------
def _defining_module(obj):
    obj = getattr(obj, "fget", obj)  # a property: its getter
    return getattr(obj, "__module__", None) or ""


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Document a class's own methods and those of our private bases, not sklearn's.

    The class pages use ``:inherited-members:`` so that ``fit`` and ``predict``
    (defined on a private base class) appear; members that come from scikit-learn,
    torch or skorch (``get_params``, ``set_output``, ``Module.to`` ...) do not.
    """
    if what == "class" and not skip:
        if not _defining_module(obj).startswith("lstmforecast"):
            return True
    return None


def _constant_comment(fullname):
    """Return the ``#:`` comment of a constant re-exported from a private module."""
    modname, _, name = fullname.rpartition(".")
    package = importlib.import_module(modname)
    obj = getattr(package, name, None)
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        sub = f"{modname}.{info.name}"
        if getattr(importlib.import_module(sub), name, None) is not obj:
            continue
        comment = ModuleAnalyzer.for_module(sub).find_attr_docs().get(("", name))
        if comment:
            return list(comment)
    return None


def _document_constants(app, what, name, obj, options, lines):
    """Give a re-exported constant its ``#:`` comment instead of its type's docstring.

    autodoc reads ``#:`` comments only in the module a page names
    (``lstmforecast.datasets``), not in the private module that defines the
    constant, and would otherwise show ``tuple``'s or ``str``'s own docstring. A
    public constant without a comment is reported (an error under ``-W``).
    """
    if what != "data":
        return
    if getattr(obj, "__doc__", None) != getattr(type(obj), "__doc__", None):
        return  # the object has a docstring of its own
    comment = _constant_comment(name)
    if comment is None:
        logger.warning("%s has no '#:' comment to document it", name)
    lines[:] = comment or []


def setup(app):
    """Connect the hooks (before numpydoc, which then formats the result)."""
    app.connect("autodoc-skip-member", _skip_foreign_member)
    app.connect("autodoc-process-docstring", _document_constants, priority=100)
