"""Package interfaces loaded on first use (PEP 562): digest.build, digest.read and digest.translate list their public
names with the module each lives in, and import that module only when a name is first used. A build with nothing
to do (no input changed) then loads the few modules it needs, not the readers, the request engine or the pipeline."""
from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def lazy_names(package: str, table: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module-level __getattr__ for `package`: `table` maps each public name to its module (relative to the
    package); the value found is kept in the package's `namespace`, so each name is looked up once."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = namespace[name] = getattr(import_module(f"{package}.{table[name]}"), name)
        return value

    return __getattr__
