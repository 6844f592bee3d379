"""pipeline/specs/gate.yml as a typed model: the load order and the gate's thresholds."""

from typing import Literal

from pydantic import model_validator

from .base import SpecModel


class Threshold(SpecModel):
    kind: Literal["share", "factor"]
    default: float
    help: str

    @model_validator(mode="after")
    def _default_in_range(self):
        if not self.valid(self.default):
            raise ValueError(f"default {self.default} is not a {self.kind} ({self.rule})")
        return self

    @property
    def rule(self) -> str:
        return "between 0 and 1" if self.kind == "share" else "at least 1"

    def valid(self, value: float) -> bool:
        return 0 <= value <= 1 if self.kind == "share" else value >= 1

    @property
    def cli_help(self) -> str:
        return f"{self.help} (default {self.default:g})"


class Gate(SpecModel):
    load_first: tuple[str, ...]
    thresholds: dict[str, Threshold]

    @property
    def defaults(self) -> dict[str, float]:
        return {name: t.default for name, t in self.thresholds.items()}
