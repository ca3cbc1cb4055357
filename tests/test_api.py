"""The shape of cnnbook's public API: one meaning per name, no import
cycles, each backward pass beside its forward, type hints on every
public function (the conventions of CONTRIBUTING.md)."""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import cnnbook

PACKAGE = Path(cnnbook.__file__).parent


def _module_names() -> list[str]:
    names = ["cnnbook"]
    for info in pkgutil.walk_packages([str(PACKAGE)], "cnnbook."):
        names.append(info.name)
    return sorted(names)


def _public_modules():
    """Every module whose name has no private part, imported."""
    for name in _module_names():
        if any(part.startswith("_") for part in name.split(".")):
            continue
        yield importlib.import_module(name)


def _source(name: str) -> Path:
    path = PACKAGE.joinpath(*name.split(".")[1:])
    package = path / "__init__.py"
    return package if package.exists() else path.with_suffix(".py")


def _imports(name: str) -> set[str]:
    """The cnnbook modules that module ``name`` imports, anywhere in it
    (lazy imports inside functions included; the imports of an
    ``if TYPE_CHECKING:`` block, never run, left out)."""
    modules = set(_module_names())
    is_package = _source(name).name == "__init__.py"
    package = name if is_package else name.rsplit(".", 1)[0]
    tree = ast.parse(_source(name).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # `from a import b` imports the module a.b if there is one
            targets = [
                f"{base}.{alias.name}"
                if f"{base}.{alias.name}" in modules
                else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def test_the_import_graph_has_no_cycles():
    graph = {name: _imports(name) for name in _module_names()}
    done, path = set(), []

    def visit(name):
        if name in path:
            cycle = path[path.index(name) :] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for target in sorted(graph[name]):
            visit(target)
        path.pop()
        done.add(name)

    for name in graph:
        visit(name)
    # the cycle this test was written for
    assert "cnnbook.train.trainer" not in graph["cnnbook.train.lr_finder"]


def test_no_public_name_has_two_meanings():
    meanings: dict[str, dict[int, str]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            meanings.setdefault(name, {})[id(obj)] = module.__name__
    twice = {
        name: sorted(where.values())
        for name, where in meanings.items()
        if len(where) > 1
    }
    assert not twice, f"names with two meanings: {twice}"


# Modules whose forward ops have their backward pass beside them.
PAIRED = [
    *(
        p.relative_to(PACKAGE.parent).as_posix()
        for p in sorted((PACKAGE / "functional").glob("*.py"))
    ),
    "cnnbook/losses.py",
    "cnnbook/nn/layers.py",
]


@pytest.mark.parametrize("path", PAIRED)
def test_each_backward_directly_follows_its_forward(path):
    tree = ast.parse((PACKAGE.parent / path).read_text())
    for scope in [
        tree,
        *(n for n in tree.body if isinstance(n, ast.ClassDef)),
    ]:
        names = [
            n.name
            for n in scope.body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))
        ]
        for i, name in enumerate(names):
            if not name.endswith("backward") and (
                not name.endswith("backward_reference")
            ):
                continue
            forward = (
                "forward"
                if name == "backward"
                else name.replace("_backward", "")
            )
            if forward in names:
                assert names[i - 1] == forward, (
                    f"{path}: {name} must directly follow {forward}, but "
                    f"follows {names[i - 1]}"
                )


def _unannotated(func, where: str) -> list[str]:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin: nothing to read
        return []
    missing = [
        f"{where}: parameter {name!r}"
        for name, p in signature.parameters.items()
        if name not in ("self", "cls")
        and p.annotation is inspect.Parameter.empty
    ]
    if (
        signature.return_annotation is inspect.Signature.empty
        and func.__name__ != "__init__"
    ):
        missing.append(f"{where}: return type")
    return missing


def _members(cls):
    """Public methods (and __init__) and properties defined in ``cls``."""
    for attr, value in vars(cls).items():
        if attr.startswith("_") and attr != "__init__":
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            value = value.fget
        if inspect.isfunction(value):
            yield attr, value


def test_the_public_api_is_annotated():
    # CONTRIBUTING.md, "Type hints": every function in a module's __all__,
    # and every public method of a public class, annotates its parameters
    # and its return type.
    missing, seen = [], set()
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            owner = getattr(obj, "__module__", "") or ""
            if id(obj) in seen or not owner.startswith("cnnbook"):
                continue
            seen.add(id(obj))
            where = f"{owner}.{getattr(obj, '__qualname__', name)}"
            if inspect.isclass(obj):
                for attr, func in _members(obj):
                    if func.__module__.startswith("cnnbook"):
                        missing += _unannotated(func, f"{where}.{attr}")
            elif inspect.isfunction(obj):
                missing += _unannotated(obj, where)
    assert not missing, f"{len(missing)} annotations missing:\n" + "\n".join(
        missing
    )
