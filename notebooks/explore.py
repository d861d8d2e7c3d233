# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 探索一个县的“五星”支部创建数据 · Exploring a county
#
# 这本笔记本带你一步步看一个县的数据：载入并校验数据包，逐一查看报告用到的表格和图表，
# 然后按自己的口径切分数据。所有计算都在 `fivestar_analysis` 包里完成，笔记本只负责调用和展示。
#
# This notebook walks through one county: load and validate its package, look at each table
# and chart the report uses, then make cuts of your own. Change `data_dir` to your folder.

# %% tags=["parameters"]
data_dir = None  # your county package folder (None: the demo county)
language = "zh"

# %% [markdown]
# ## 1. 载入与校验 · Load and validate
# `load_county` 读取文件夹、识别编码和中文表头，发现问题时列出文件、行、列和修改方法。

# %%
import fivestar_analysis as fs
from fivestar_analysis import charts, stars, survey
from fivestar_analysis.present.display import format_table
from fivestar_analysis.render.notebook import resolve_data_dir

county = fs.load_county(resolve_data_dir(data_dir))
print(county.meta.name, county.years, "report year", county.year)
print(len(county.warnings), "warnings")
county.branches.head()

# %% [markdown]
# ## 2. 星级分布 · Levels
# 每年各星级的支部数与占比（评定结果）；`basis="planned"` 看年初计划。

# %%
levels = stars.level_distribution(county)
format_table(stars.share_3plus_table(county), language=language, rubric=county.rubric)

# %%
with charts.chart_style(language):
    charts.level_history(levels, language=language, rubric=county.rubric)

# %% [markdown]
# ## 3. 各星创建情况 · Star by star

# %%
attainment = stars.star_attainment(county)
with charts.chart_style(language):
    charts.star_attainment(attainment, year=county.year, language=language, rubric=county.rubric)

# %%
by_town = stars.star_attainment(county, by="township", year=county.year, kinds=("rural", "community"))
with charts.chart_style(language):
    charts.township_star_heatmap(by_town, language=language, rubric=county.rubric)

# %% [markdown]
# ## 4. 年度变化 · Year on year

# %%
transitions = stars.level_transitions(county)
format_table(stars.transition_summary(county), language=language)

# %%
if len(county.years) > 1:
    with charts.chart_style(language):
        charts.level_transitions(transitions, year_to=county.year, language=language, rubric=county.rubric)

# %% [markdown]
# ## 5. 薄弱环节 · Weak links
# 每个发现都带着证据数字和检验结果。

# %%
findings = stars.diagnose(county)
fs.findings_frame(findings)[["kind", "scope", "subject", "severity", "p_value"]]

# %%
format_table(stars.income_tests(county), language=language)

# %%
with charts.chart_style(language):
    charts.income_by_level(county.branches_in(), language=language, rubric=county.rubric)

# %% [markdown]
# ## 6. 问卷 · The survey

# %%
if county.survey is not None:
    results = survey.describe_survey(county)
    est = results.estimates
    with charts.chart_style(language):
        charts.dimension_scores(est[(est["by"].isin(["county", "group"])) & (est["measure"] == "index")],
                                language=language, rubric=county.rubric)

# %%
if county.survey is not None:
    with charts.chart_style(language):
        charts.ipa_quadrant(results.ipa[results.ipa["group"] == "all"], language=language, rubric=county.rubric)

# %% [markdown]
# ## 7. 自己的口径 · Your own cuts
# 例如：只看某个乡镇，或比较有无软弱涣散问题的支部。`county.branches` 是普通的 pandas 表。

# %%
b = county.branches_in()
b.groupby("township", observed=True).agg(
    branches=("branch_id", "size"), mean_level=("level", "mean"),
    median_income=("collective_income_wan", "median"),
).sort_values("mean_level").head(10)
