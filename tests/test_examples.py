"""The examples are gallery pages: a title, ``# %%`` cells and a saved figure.

They are executed by the documentation build (``tests/test_docs.py``), which puts
each one's figures on its page; this checks, fast, that each is written for it.
"""

import ast
import re
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_is_a_gallery_page(path):
    assert path.name.startswith("plot_"), "sphinx-gallery runs files named plot_*"
    source = path.read_text()
    doc = ast.get_docstring(ast.parse(source))
    assert doc, "the first thing in an example is its docstring"
    title, underline = doc.splitlines()[:2]
    assert title and set(underline) == {"="} and len(underline) >= len(title)
    assert "# %%" in source, "cells separated by '# %%' comments"
    assert re.search(r"\bsavefig\(", source), "every example saves its plot"
