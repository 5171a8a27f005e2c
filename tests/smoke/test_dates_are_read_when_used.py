"""A module that reads the date when it is imported goes stale across midnight."""

import ast
import pathlib

CLOCK_CALLS = {"localdate", "localtime", "now", "today"}
ROOT = pathlib.Path(__file__).resolve().parents[2]
NOT_OURS = {".venv", "node_modules", "var", ".git"}


DEFERRED = ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef


def _clock_calls(node: ast.AST) -> list[int]:
    """Clock calls that run when ``node`` is evaluated (a lambda's or function's body runs later)."""
    lines = []
    if isinstance(node, ast.Call):
        called = node.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", None)
        if name in CLOCK_CALLS:
            lines.append(node.lineno)
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, DEFERRED):
            lines += _clock_calls(child)
    return lines


def _read_at_import(module: ast.Module) -> list[int]:
    """Lines whose clock call runs at import: module statements, decorators and argument defaults."""
    lines = []
    for statement in module.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            for part in [*statement.decorator_list, *statement.args.defaults]:
                lines += _clock_calls(part)
        elif isinstance(statement, ast.ClassDef):
            lines += _read_at_import(ast.Module(body=statement.body, type_ignores=[]))
            for part in statement.decorator_list:
                lines += _clock_calls(part)
        else:
            lines += _clock_calls(statement)
    return lines


def test_no_module_reads_the_clock_at_import():
    stale = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if not NOT_OURS.intersection(path.relative_to(ROOT).parts)
        for line in _read_at_import(ast.parse(path.read_text()))
    ]
    assert stale == [], "read the date when it is used (in tests: tests.dates.today()), not at import"
