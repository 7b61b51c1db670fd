"""Puts tasks/src/main/resources/python (the shipped package root) on sys.path."""

import os
import sys

PYTHON_RESOURCES = os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "main", "resources", "python")
)
if PYTHON_RESOURCES not in sys.path:
    sys.path.insert(0, PYTHON_RESOURCES)
