"""Star-creation analysis (“五星”支部创建): levels, attainment, consistency, targets,
multi-year tracking, weak-link diagnosis, mentoring, rewards and the CLI summary.

Every function reads a :class:`~fivestar_analysis.model.county.County` and returns a tidy
DataFrame with stable snake_case columns or a frozen dataclass; display labels for the
columns and values live in ``resources/labels/stars.yaml``.
"""

from fivestar_analysis.analysis.stars._common import thresholds
from fivestar_analysis.analysis.stars.attainment import star_attainment
from fivestar_analysis.analysis.stars.cadres import cadre_findings, secretary_table, weak_lax_table
from fivestar_analysis.analysis.stars.consistency import (
    PublishedCheck,
    capstone_violations,
    check_published_counts,
    consistency_table,
)
from fivestar_analysis.analysis.stars.diagnosis import (
    bottleneck_findings,
    bottleneck_table,
    capstone_findings,
    diagnose,
    lagging_township_findings,
    lowest_star_findings,
    township_comparison,
)
from fivestar_analysis.analysis.stars.economy import (
    IncomeSummary,
    assign_income_tiers,
    economy_findings,
    income_by_level,
    income_by_township,
    income_points,
    income_summary,
    income_tests,
    income_tier_table,
    weak_villages,
)
from fivestar_analysis.analysis.stars.levels import (
    Overview,
    county_overview,
    level_counts_wide,
    level_distribution,
    share_3plus_table,
)
from fivestar_analysis.analysis.stars.mentoring import MentoringPlan, mentoring_plan
from fivestar_analysis.analysis.stars.rewards import branch_rewards, reward_budget
from fivestar_analysis.analysis.stars.summary import format_summary, summary
from fivestar_analysis.analysis.stars.targets import (
    nearest_star_scores,
    target_candidates,
    target_progress,
)
from fivestar_analysis.analysis.stars.transitions import (
    five_star_runs,
    honour_holders,
    level_transitions,
    star_changes,
    transition_summary,
)

__all__ = [
    "level_distribution", "share_3plus_table", "level_counts_wide", "county_overview", "Overview",
    "income_summary", "IncomeSummary", "income_points",
    "star_attainment",
    "consistency_table", "capstone_violations", "check_published_counts", "PublishedCheck",
    "target_progress", "target_candidates", "nearest_star_scores",
    "level_transitions", "transition_summary", "star_changes", "five_star_runs",
    "honour_holders",
    "bottleneck_table", "township_comparison", "diagnose", "lowest_star_findings",
    "bottleneck_findings", "lagging_township_findings", "capstone_findings",
    "income_tier_table", "weak_villages", "income_by_level", "income_by_township",
    "income_tests", "economy_findings", "assign_income_tiers",
    "weak_lax_table", "secretary_table", "cadre_findings",
    "mentoring_plan", "MentoringPlan",
    "reward_budget", "branch_rewards",
    "summary", "format_summary",
    "thresholds",
]
