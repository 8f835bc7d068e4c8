"""The Python environment a model is exported in: the interpreter and the
versions of the libraries that read and predict with the model.

make refresh PYTHON=/path/to/python runs every Python step with the user's
own interpreter, so that a pickle is read by the library version that wrote
it; export.py records this in provenance.json and the refresh report shows
it (FORMAT.md).
"""

import importlib
import platform
import sys

# The libraries that can read or predict with a model, by the name the
# report shows, with the module that holds each one's __version__.
LIBRARIES = {"sklearn": "sklearn", "numpy": "numpy", "xgboost": "xgboost", "lightgbm": "lightgbm", "pandas": "pandas"}


def python():
    """{"executable", "version"} of the running interpreter."""
    return {"executable": sys.executable, "version": platform.python_version()}


def libraries():
    """Each library of LIBRARIES the interpreter can import, with its version; absent ones are left out."""
    out = {}
    for name, module in LIBRARIES.items():
        try:
            out[name] = importlib.import_module(module).__version__
        except ImportError:
            continue
    return out


def describe(prov):
    """("<executable> (Python <version>)", "sklearn 1.9.1, numpy 2.4.6, ...") from a provenance dict, or "not recorded"."""
    py = prov.get("python")
    libs = prov.get("libraries")
    interp = f"`{py['executable']}` (Python {py['version']})" if py else "not recorded"
    versions = ", ".join(f"{k} {v}" for k, v in libs.items()) if libs else "not recorded"
    return interp, versions
