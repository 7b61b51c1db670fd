"""Puts tasks/src/main/resources/python (the shipped package root) on sys.path.

The native walker (tasks/native, ``syntaxlake_extract._native_walk``) is built by cargo and never
kept in the source tree: when the build's library is there (deploy/local/test-all.sh builds it
first) it is copied, under its import name, into a temporary directory appended to the package's
``__path__``, so the tests run the walker the extract task ships. ``SYNTAXLAKE_NATIVE_WALK`` names
another build of the library; without one the tests run the Python walker, and the native parity
tests skip (or fail, under ``SYNTAXLAKE_REQUIRE_NATIVE=1``).
"""

import atexit
import os
import shutil
import sys
import tempfile

PYTHON_RESOURCES = os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "main", "resources", "python")
)
if PYTHON_RESOURCES not in sys.path:
    sys.path.insert(0, PYTHON_RESOURCES)

NATIVE_LIB = os.environ.get("SYNTAXLAKE_NATIVE_WALK") or os.path.join(
    os.path.expanduser("~"), ".cache", "syntaxlake", "cargo-target", "release", "libsyntaxlake_native_walk.so"
)
if os.path.isfile(NATIVE_LIB):
    import syntaxlake_extract

    _native_dir = tempfile.mkdtemp(prefix="syntaxlake-native-walk-")
    atexit.register(shutil.rmtree, _native_dir, True)
    shutil.copy(NATIVE_LIB, os.path.join(_native_dir, "_native_walk.abi3.so"))
    syntaxlake_extract.__path__.append(_native_dir)
