"""Drafting a briefing (工作简报) from the sections' paragraphs, in the manner of the seed
article: a title, a lead, the activities carried into the sectors, the practical deeds, and
the next steps.

The sections write the paragraphs (`<app>/reporting.py`, `briefing(period, scope)`); here they
are put in order under the article's headings. Every number in the text is a `Figure` of the
paragraph that quotes it, so a saved briefing can regenerate its figures and flag those that
have changed (`changed_figures`).

The body is plain text, one paragraph a line; a short line (at most HEADING_MAX characters)
that does not end with punctuation is a section heading (`blocks`). The editor keeps that
convention without knowing it: headings look like headings."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from dangjian.reports.registry import Figure, Paragraph, Period, Scope, sections

PARTS = ("lead", "activities", "deeds", "next")
HEADINGS = {
    "activities": "创新方式方法 深入开展“六进”活动",
    "deeds": "践行初心使命 开展“我为群众办实事”实践活动",
}
HEADING_MAX = 30
SENTENCE_END = "。！？；：，、…”）)"


def day_label(moment: dt.datetime | dt.date) -> str:
    """2月24日: how the article dates what happened (local time)."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment)
    return f"{moment.month}月{moment.day}日"


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """From the start of the first day to the start of the day after the last (local)."""
    since = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(1), dt.time.min))
    return since, until


@dataclass
class Draft:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        """Every figure the text quotes, once, in the order of the text."""
        seen = {}
        for paragraph in self.paragraphs:
            for figure in paragraph.figures:
                seen.setdefault(figure.key, figure)
        return list(seen.values())

    @property
    def body(self) -> str:
        lines, part = [], None
        for paragraph in self.paragraphs:
            if paragraph.part != part:
                part = paragraph.part
                if part in HEADINGS:
                    lines.append(HEADINGS[part])
            lines.append(paragraph.text)
        return "\n\n".join(lines)


def draft(period: Period, scope: Scope) -> Draft:
    """The generated briefing for a period and a scope."""
    found = []
    for rank, section in enumerate(sections()):
        for paragraph in section.briefing(period, scope):
            found.append((PARTS.index(paragraph.part), paragraph.order, rank, paragraph))
    paragraphs = [p for *_, p in sorted(found, key=lambda row: row[:3])]
    if not any(p.part == "lead" for p in paragraphs):
        paragraphs.insert(0, _generic_lead(period, scope))
    paragraphs.append(_next_steps(scope, any(p.part == "deeds" for p in paragraphs)))
    return Draft(title=_title(scope, paragraphs), paragraphs=paragraphs)


def _title(scope: Scope, paragraphs: list[Paragraph]) -> str:
    if any(p.part == "deeds" for p in paragraphs):
        return f"{scope.label}扎实推进党史学习教育和“我为群众办实事”实践活动"
    return f"{scope.label}扎实推进党史学习教育"


def _generic_lead(period: Period, scope: Scope) -> Paragraph:
    return Paragraph(
        part="lead",
        text=f"{period.label}，{scope.label}深入开展党史学习教育，扎实推进“我为群众办实事”实践活动。",
    )


def _next_steps(scope: Scope, with_deeds: bool) -> Paragraph:
    deeds = "聚焦群众急难愁盼办好实事，" if with_deeds else ""
    return Paragraph(
        part="next",
        text=(
            f"下一步，{scope.label}将持续加强创新，深入开展党史学习教育，引导广大党员干部把学习"
            "党史同总结经验、观照现实、推动工作结合起来，把学习成效转化为推动工作的实际成效，"
            f"{deeds}为高质量发展作出更大贡献。"
        ),
    )


# ---------------------------------------------------------------- saved figures


def figure_records(figures: list[Figure]) -> list[dict]:
    """Figures as a version stores them (JSON)."""
    return [asdict(f) for f in figures]


@dataclass(frozen=True)
class FigureCheck:
    key: str
    label: str
    saved: int | float | None
    current: int | float | None
    unit: str
    url: str
    present: bool  # False: the regenerated draft no longer quotes it

    @property
    def changed(self) -> bool:
        return not self.present or self.saved != self.current

    @property
    def saved_text(self) -> str:
        return figure_text(self.saved, self.unit)

    @property
    def current_text(self) -> str:
        return figure_text(self.current, self.unit)


def figure_text(value, unit: str = "") -> str:
    """An exact value as the page shows it: 586人, 98.5% (a rate has no unit)."""
    shown = Figure("", "", value).display
    return shown if value is None or isinstance(value, float) else f"{shown}{unit}"


def unchanged(figures: list[Figure]) -> list[FigureCheck]:
    """A fresh draft's figures in the shape of `changed_figures` (nothing changed)."""
    return [FigureCheck(f.key, f.label, f.value, f.value, f.unit, f.url, True) for f in figures]


def changed_figures(saved: list[dict], period: Period, scope: Scope) -> list[FigureCheck]:
    """The saved figures beside their values now (regenerated for the same period and
    scope, compared by key)."""
    now = {f.key: f for f in draft(period, scope).figures}
    checks = []
    for record in saved:
        current = now.get(record["key"])
        checks.append(
            FigureCheck(
                key=record["key"],
                label=record["label"],
                saved=record["value"],
                current=current.value if current else None,
                unit=record.get("unit", ""),
                url=current.url if current else record.get("url", ""),
                present=current is not None,
            )
        )
    return checks


# ---------------------------------------------------------------- reading the body back


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" or "paragraph"
    text: str


def blocks(body: str) -> list[Block]:
    """The body's lines as headings and paragraphs, for the .docx and the PDF."""
    out = []
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        heading = len(text) <= HEADING_MAX and text[-1] not in SENTENCE_END
        out.append(Block("heading" if heading else "paragraph", text))
    return out
