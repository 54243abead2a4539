"""What each app contributes to the dashboard, the big screen and the briefings.

An app that has something to report has a module `<app>/reporting.py` with a `SECTION`: an
object with a `key`, a `title`, an `order`, and three functions of a `Period` and a `Scope`:

- `figures(period, scope) -> list[Figure]`: its key figures (the dashboard's tiles);
- `charts(period, scope) -> list[Chart]`: its charts, each with the table behind it;
- `briefing(period, scope) -> list[Paragraph]`: its paragraphs of the briefing, each with the
  figures it quotes.

`reports` finds the sections (`sections()`) and lays them out; it owns no domain queries. An
app added later (study, contests, …) adds its `reporting.py` and nothing in `reports` changes.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Protocol

from django.apps import apps


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included (local dates)."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def label(self) -> str:
        return f"{self.start:%Y年%-m月%-d日}至{self.end:%Y年%-m月%-d日}"


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole district, organization subtrees (a secretary's: `paths`), or
    departments (an officer's: `department_ids`, and the organizations that belong to them,
    whose paths are in `paths` too)."""

    label: str
    everything: bool = False
    paths: frozenset[str] = frozenset()
    department_ids: frozenset[int] = frozenset()

    def organization_q(self, prefix: str = ""):
        """A condition on organizations reached through `prefix` (e.g. "organization__")."""
        from django.db.models import Q

        if self.everything:
            return Q()
        condition = Q(**{f"{prefix}pk__in": []})
        for path in self.paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "everything": self.everything,
            "paths": sorted(self.paths),
            "department_ids": sorted(self.department_ids),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Scope":
        return cls(
            label=data["label"],
            everything=data["everything"],
            paths=frozenset(data["paths"]),
            department_ids=frozenset(data["department_ids"]),
        )


@dataclass(frozen=True)
class Figure:
    """One number, with where it came from. `key` names the query that produced it (the
    section's key, the figure's name and, for figures about one object, its id), so a saved
    briefing can ask again and notice a change. `value` is exact; briefings phrase it."""

    key: str
    label: str
    value: int | float | None
    unit: str = ""
    url: str = ""  # the list behind the figure

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return f"{self.value * 100:.1f}%"
        return f"{self.value:,}"


@dataclass(frozen=True)
class Chart:
    """An ECharts option and the table behind it (the table is what the export downloads)."""

    key: str
    title: str
    option: dict
    columns: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the briefing. `part` is where it goes: "lead", "activities", "deeds",
    "next"; `order` sorts within the part."""

    part: str
    text: str
    order: int = 0
    figures: list[Figure] = field(default_factory=list)


class Section(Protocol):
    key: str
    title: str
    order: int

    def figures(self, period: Period, scope: Scope) -> list[Figure]: ...

    def charts(self, period: Period, scope: Scope) -> list[Chart]: ...

    def briefing(self, period: Period, scope: Scope) -> list[Paragraph]: ...


@cache
def sections() -> tuple[Section, ...]:
    """Every installed app's SECTION, in their `order`."""
    found = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.reporting")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.reporting":
                raise  # a broken import inside the module, not a missing module
            continue
        found.append(module.SECTION)
    return tuple(sorted(found, key=lambda s: s.order))
