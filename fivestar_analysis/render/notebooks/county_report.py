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

# %% [markdown] tags=["remove_cell"]
# # County research report · 县级“五星”支部创建调研报告
#
# This notebook is the report template. `fivestar report PATH` runs it with papermill and
# exports code-free HTML; `papermill county_report.ipynb out.ipynb -p data_dir PATH` works
# as well. Every cell calls the package (`fivestar_analysis.render.notebook`): the analysis lives
# there, where the tests reach it. Leave `data_dir = None` to report on the demo county.

# %% tags=["parameters"]
data_dir = None  # the county data package folder (None: the demo county)
year = None  # the report year (None: the year in county.yaml)
language = "zh"  # zh or en
rules_path = None  # your own recommendation rules file (optional)
xlsx_path = None  # write every report table to this workbook (optional)
docx_path = None  # write the report as a Word document to this path (optional)
fingerprint = None  # set by fivestar report (inputs, parameters and version)
generated = None  # set by fivestar report (the generation date)
result_path = None  # set by fivestar report (where the outcome of loading is left for it)

# %%
from fivestar_analysis.render.notebook import (
    prepare,
    show,
    write_document,
    write_workbook,
)

rep = prepare(data_dir, year=year, language=language, rules_path=rules_path,
              fingerprint=fingerprint, generated=generated, result_path=result_path)

# %%
show("title", rep)

# %%
show("basic", rep)

# %%
show("achievements", rep)

# %%
show("problems", rep)

# %%
show("causes", rep)

# %%
show("measures", rep)

# %%
show("appendix", rep)

# %%
_ = write_workbook(rep, xlsx_path)

# %%
_ = write_document(rep, docx_path)
