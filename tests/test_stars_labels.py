"""Every column and finding kind of the star analysis has a zh and en display label."""

from __future__ import annotations

from test_stars_ledgers import tiny_county

from fivestar_analysis import stars as st
from fivestar_analysis.model.county import Targets
from fivestar_analysis.model.labels import label


def test_every_output_column_has_labels() -> None:
    c = tiny_county(Targets(share_3plus=0.6, level_counts={5: 3}))
    plan = st.mentoring_plan(c)
    frames = [
        st.level_distribution(c, by="township"), st.share_3plus_table(c),
        st.star_attainment(c, by="township"), st.consistency_table(c),
        st.capstone_violations(c), st.target_progress(c), st.target_candidates(c),
        st.level_transitions(c), st.transition_summary(c), st.star_changes(c),
        st.five_star_runs(c), st.honour_holders(c), st.bottleneck_table(c),
        st.township_comparison(c), st.income_tier_table(c, by="township"),
        st.weak_villages(c), st.income_by_level(c), st.income_by_township(c),
        st.income_tests(c), st.weak_lax_table(c), st.secretary_table(c),
        st.reward_budget(c, by="township"), st.branch_rewards(c),
        plan.pairs, plan.load, plan.unmatched,
    ]
    names = {str(col) for f in frames for col in f.columns}
    names |= {f.kind for f in st.diagnose(c)}
    names |= {"held_last_year", "income_rank", "common_star", "spearman", "kruskal_wallis",
              "mann_whitney", "silver", "gold", "no_mentor", "capacity", "too_few_mentees"}
    # keys are ASCII, so a Chinese label differs from its key exactly when one exists
    unlabeled = sorted(n for n in names if label(n, "zh") == n)
    assert unlabeled == []
