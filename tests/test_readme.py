"""The README's configuration table names every setting the code reads from the environment,
and nothing else."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where settings are read: the application's configuration, and gunicorn's for `make serve`.
SETTINGS_FILES = (ROOT / "webapp" / "config.py", ROOT / "gunicorn.conf.py")
ENVIRONMENT_NAMES = {"env", "environ"}  # `os.environ`, or config.py's `env = os.environ`


def _is_environment(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in ENVIRONMENT_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr == "environ")


def _name_read(node: ast.AST) -> str | None:
    """The variable a node reads from the environment: `environ.get("X", ...)`,
    `os.getenv("X")` or `environ["X"]`."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        function = node.func
        if isinstance(function, ast.Attribute) and (
                (function.attr == "get" and _is_environment(function.value))
                or function.attr == "getenv"):
            return node.args[0].value
    if isinstance(node, ast.Subscript) and _is_environment(node.value) \
            and isinstance(node.slice, ast.Constant):
        return node.slice.value
    return None


def settings_read_by_the_code() -> set[str]:
    names = set()
    for path in SETTINGS_FILES:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            name = _name_read(node)
            if isinstance(name, str):
                names.add(name)
    return names


def settings_in_the_readme() -> set[str]:
    """The variables named in the first column of the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_column))
    return names


def test_the_code_is_read_for_settings():
    names = settings_read_by_the_code()
    # A parser that found nothing would let the next tests pass whatever the README says.
    assert {"SECRET_KEY", "DATABASE_URL", "HTTPS", "GUNICORN_BIND"} <= names


def test_every_setting_the_code_reads_is_in_the_configuration_table():
    missing = settings_read_by_the_code() - settings_in_the_readme()
    assert not missing, f"add to the README's configuration table: {sorted(missing)}"


def test_the_configuration_table_names_only_settings_the_code_reads():
    unknown = settings_in_the_readme() - settings_read_by_the_code()
    assert not unknown, f"the README names settings nothing reads: {sorted(unknown)}"
