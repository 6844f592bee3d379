"""Reading a spec file into its typed model: a misspelt key, an unknown severity or a value of the
wrong kind fails when the spec loads, naming the file and the key, not on some LA's refresh."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from pipeline.paths import PROJECT_DIR


class SpecModel(BaseModel):
    """A part of a spec: every key known, every value checked, nothing changed after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SpecError(ValueError):
    """A spec file that does not say what its model expects."""


T = TypeVar("T")


def shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_DIR)) if path.is_relative_to(PROJECT_DIR) else str(path)


def load_yaml(path: Path, shape: type[T]) -> T:
    """The YAML file validated as `shape` (a model or any type pydantic validates)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SpecError(f"{shown(path)}: not valid YAML: {e}") from None
    return validate(raw, shape, shown(path))


def validate(raw, shape: type[T], where: str) -> T:
    try:
        return TypeAdapter(shape).validate_python(raw)
    except ValidationError as e:
        raise SpecError(f"{where}: " + "; ".join(_problem(err) for err in e.errors())) from None


def _problem(err: dict) -> str:
    # the entry's own key, not pydantic's tagged-union or wrapper steps (function-after[...], str, ...)
    key = ".".join(str(p) for p in err["loc"] if not _internal(p))
    if not key:  # a rule across the file (a name used but not defined)
        return err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    if err["type"] == "missing":
        return f"{key}: required key missing"
    message = err["msg"].removeprefix("Value error, ")
    return f"{key}: {err['input']!r}: {message}" if not isinstance(err["input"], dict | list) else f"{key}: {message}"


def _internal(step) -> bool:
    return isinstance(step, str) and ("[" in step or step.startswith("<") or step in ("str", "int", "float", "bool", "list", "dict"))
