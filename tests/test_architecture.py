"""The package's shape, checked: no import cycles, and the stages import in one direction
(content before site before output; the pipeline and the dev server on top), so a module
can be read, tested and replaced without the ones that come after it."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "epaper"
# What each part may import besides itself and the shared modules (errors, model, images, parallel, themes).
SHARED = {"epaper.errors", "epaper.messages", "epaper.catalogs", "epaper.model", "epaper.images", "epaper.parallel",
          "epaper.themes", "epaper"}
ALLOWED = {
    "epaper.content": {"epaper.output.cache"},  # the load stage reads and fills the build cache
    "epaper.site": {"epaper.output.cache", "epaper.content.markup"},  # render keys; figures in bodies
    "epaper.output": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The epaper modules a file imports at run time (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                if base.startswith("epaper"):
                    for alias in child.names:  # `from epaper.output import search` imports a module
                        candidate = f"{base}.{alias.name}"
                        found.add(candidate if module_path(candidate) else base)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("epaper"))
            visit(child)

    visit(tree)
    return found


def module_path(name: str) -> Path | None:
    base = REPO / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {i for i in imports(path) if i in modules and i != name} for name, path in modules.items()}


def test_no_module_imports_itself_back_through_others() -> None:
    edges = graph()
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_stages_import_only_what_comes_before_them() -> None:
    wrong = []
    for name, targets in graph().items():
        part = next((p for p in ALLOWED if name == p or name.startswith(p + ".")), None)
        if part is None:
            continue
        for target in targets:
            if target in SHARED or target == part or target.startswith(part + ".") or target in ALLOWED[part]:
                continue
            wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_every_module_is_named_in_the_readme_layout() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Repository layout"):]
    missing = [p.relative_to(REPO).as_posix() for p in sorted(PACKAGE.rglob("*.py"))
               if p.name != "__init__.py" and f"`{p.name}`" not in layout]
    missing += [f"epaper/{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()
                and f"`epaper/{p.name}/`" not in layout]
    assert not missing, f"modules the README's layout does not name: {missing}"


def test_no_module_keeps_mutable_state_at_module_level() -> None:
    """Stages share nothing through globals: module-level values are constants (tuples, frozensets,
    read-only mappings), so a forked worker or a second build in one process sees no leftovers."""
    mutable = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            value = getattr(node, "value", None)
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if value is not None and names and names != ["__all__"] and (
                    isinstance(value, mutable) or (isinstance(value, ast.Call) and ast.unparse(value.func) in
                                                   ("dict", "list", "set", "defaultdict", "collections.defaultdict"))):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {', '.join(names)}")
            if isinstance(node, ast.Global):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: global {', '.join(node.names)}")
    assert not found, "module-level mutable state:\n" + "\n".join(found)
