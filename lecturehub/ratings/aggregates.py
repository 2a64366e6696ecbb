"""Pure arithmetic of ratings: means, distributions, the satisfaction rate. No Flask, no db.

Scores arrive as dicts ``{"overall": 5, "useful": 4, …}`` without any trace of who gave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCALE = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
DIMENSIONS = {
    "useful": "内容实用",
    "practical": "联系实际",
    "clear": "讲解清晰",
    "timing": "时间把控",
}
DIMENSION_HELP = {
    "useful": "对工作有用",
    "practical": "有案例、结合本乡实际",
    "clear": "讲得清楚，不照本宣科",
    "timing": "控制在一小时内",
}
OVERALL_LABEL = "总体满意度"
LABELS = {"overall": OVERALL_LABEL, **DIMENSIONS}
SATISFIED = (4, 5)  # 满意 + 非常满意


def mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def distribution(values: list[int]) -> dict[str, int]:
    """How many gave each score: {"1": n, …, "5": n} (string keys, as in the JSON)."""
    return {str(score): sum(1 for v in values if v == score) for score in range(1, 6)}


def satisfaction_rate(values: list[int]) -> float | None:
    """Share of 满意 + 非常满意 among the overall scores (0–1, four decimals)."""
    if not values:
        return None
    return round(sum(1 for v in values if v in SATISFIED) / len(values), 4)


def ratio(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Stat:
    mean: float | None
    distribution: dict[str, int]

    def as_dict(self) -> dict:
        return {"mean": self.mean, "distribution": dict(self.distribution)}

    @property
    def most(self) -> int:
        return max(self.distribution.values(), default=0)


def stat(values: list[int]) -> Stat:
    return Stat(mean(values), distribution(values))


@dataclass(frozen=True)
class Aggregate:
    """Means and distributions of a set of ratings (one talk, a month, a department …)."""

    count: int
    overall: Stat
    dimensions: dict[str, Stat] = field(default_factory=dict)
    satisfaction_rate: float | None = None

    def dimensions_dict(self) -> dict:
        return {key: s.as_dict() for key, s in self.dimensions.items()}

    def means(self) -> dict[str, float | None]:
        return {"overall": self.overall.mean, **{k: s.mean for k, s in self.dimensions.items()}}


def aggregate(rows: list[dict[str, int]]) -> Aggregate:
    overall = [row["overall"] for row in rows]
    dims = {key: stat([row[key] for row in rows]) for key in DIMENSIONS}
    return Aggregate(len(rows), stat(overall), dims, satisfaction_rate(overall))
