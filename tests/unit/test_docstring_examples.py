"""Every example in a docstring of the pure packages runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import claims
import pricing

PURE = [
    f"{package.__name__}.{module.name}"
    for package in (pricing, claims)
    for module in pkgutil.iter_modules(package.__path__)
]
MODULES = ["pricing", "claims", *sorted(PURE), "underwriting.credit_code"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_some_examples_exist():
    found = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert found >= 10
