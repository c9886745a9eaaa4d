"""No module of convviz imports a private name or module from another package.

A name or module whose last part starts with one underscore (``_forward_loops``, ``_parallel``)
belongs to its own package: modules of the same package may import it (``conv.py`` importing
``.conv_im2col._grouped_weight`` is fine), nobody else. What other packages need has a public name.
Every module under convviz/ is read with ``ast``, nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "convviz"


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")  # __future__, __version__ are not


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    """The package a module belongs to: itself if it is a package of this checkout, else its parent."""
    return module if (ROOT / Path(*module.split("."))).is_dir() else module.rpartition(".")[0]


def private_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each import in ``source`` (the text of ``module``) of a private name or module that lives
    outside ``module``'s own package, as "line N: what"."""
    own_package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if any(is_private(part) for part in parts):
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = own_package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source_module = ".".join(base + ([node.module] if node.module else []))
            else:
                source_module = node.module
            parts = source_module.split(".")
            for alias in node.names:
                # ``from a.b import c``: c is a name in a.b, or the module a.b.c
                private_module = next((i for i, part in enumerate(parts) if is_private(part)), None)
                if private_module is not None and ".".join(parts[:private_module]) != own_package:
                    found.append(f"line {node.lineno}: from {source_module} import {alias.name}")
                elif is_private(alias.name) and package_of(source_module) != own_package:
                    found.append(f"line {node.lineno}: from {source_module} import {alias.name}")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_read():
    names = {module_name(path) for path in MODULES}
    assert {"convviz", "convviz.nn.functional.conv", "convviz.optim", "convviz.trace"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_private_import_from_another_package(path):
    found = private_imports(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert not found, f"{path.relative_to(ROOT)} imports private names of another package: {found}"


@pytest.mark.parametrize("source, module", [
    ("from convviz.nn.functional.conv import _forward_loops", "convviz.trace.trace"),
    ("from convviz.nn.functional._checks import is_int", "convviz.trace.trace"),
    ("import convviz.nn._parallel", "convviz.optim"),
    ("from ..functional.conv import _check_algorithm", "convviz.nn.modules.conv"),
    ("from .. import _parallel", "convviz.nn.functional.conv"),
    ("from .nn._parallel import CORES", "convviz.optim"),
    ("from numpy._core import multiarray", "convviz.nn.functional.conv"),
])
def test_the_check_sees_a_private_import(source, module):
    assert private_imports(source, module)


@pytest.mark.parametrize("source, module, is_package", [
    ("from .conv_im2col import _grouped_weight", "convviz.nn.functional.conv", False),
    ("from ._helpers import x", "convviz.nn.functional.conv", False),
    ("from convviz.nn.functional.conv import _forward_loops", "convviz.nn.functional.conv_banded", False),
    ("from ._helpers import x", "convviz.nn.functional", True),
    ("from __future__ import annotations", "convviz.optim", False),
    ("from convviz.nn.functional import conv2d", "convviz.trace.trace", False),
])
def test_the_check_allows_the_same_package_and_public_names(source, module, is_package):
    assert private_imports(source, module, is_package) == []
