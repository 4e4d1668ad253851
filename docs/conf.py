"""Sphinx configuration for skactive."""

import os
from pathlib import Path

# The gallery examples plot headless; nothing opens a window.
os.environ["MPLBACKEND"] = "Agg"
# One BLAS / OpenMP / torch thread, set before numpy or torch is imported: the
# examples and doctests fit small models, which a second thread does not
# speed up, and on a CI machine whose cores are shared with other jobs
# spinning BLAS threads slow them down several times over.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import skactive  # noqa: E402

project = "skactive"
author = "skactive developers"
copyright = "2026, skactive developers"
version = release = skactive.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# No network at build time: intersphinx inventories are not fetched.
intersphinx_mapping = {}

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples"]
html_theme = "alabaster"
html_theme_options = {"description": "scikit-learn compatible active learning"}

# -- Example gallery (sphinx-gallery) ------------------------------------------
# The examples in ../examples run at build time. Each reads
# SKACTIVE_GALLERY_FULL: unset (``make docs``, CI) they run at a small size so
# the whole gallery builds in about two minutes on 2 CPU cores; "1"
# (``make docs-full``) runs them at the size their text discusses.
GALLERY_MODE = "full" if os.environ.get("SKACTIVE_GALLERY_FULL") == "1" else "fast"
_gallery_dir = Path(__file__).parent / "auto_examples"
_mode_file = _gallery_dir / ".gallery_mode"
# sphinx-gallery skips an example whose source has not changed since its last
# run; a switch between fast and full mode changes the output, not the source,
# so it reruns them all.
_mode_changed = (not _mode_file.exists()
                 or _mode_file.read_text().strip() != GALLERY_MODE)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # The file names are numbered in reading order.
    "within_subsection_order": "FileNameSortKey",
    # A failing example fails the build (after the others have run, so one
    # build reports every failure).
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "run_stale_examples": _mode_changed,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "remove_config_comments": True,
    "min_reported_time": 0,
    "show_memory": False,
    # Nothing is fetched: no binder or JupyterLite links, no remote
    # documentation to link code to (intersphinx_mapping is empty).
    "binder": {},
    "jupyterlite": None,
    "doc_module": ("skactive",),
    "backreferences_dir": None,
    "recommender": {"enable": False},
}


def _record_gallery_mode(app, exception):
    if exception is None and _gallery_dir.is_dir():
        _mode_file.write_text(GALLERY_MODE + "\n")


def setup(app):
    app.connect("build-finished", _record_gallery_mode)
