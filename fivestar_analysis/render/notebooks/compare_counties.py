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
# # Cross-county comparison · 跨县（市、区）“五星”支部创建比较
#
# `fivestar compare PATH...` runs this notebook with papermill and exports code-free HTML.
# Every cell calls the package (`fivestar_analysis.render.comparison_notebook`), where the tests reach the
# analysis. Leave `data_dirs = None` to compare four small demo counties.

# %% tags=["parameters"]
data_dirs = None  # list of county package folders (None: four demo counties in a temp folder)
year = None  # the comparison year (None: the latest year every county has)
language = "zh"  # zh or en
xlsx_path = None  # write every comparison table to this workbook (optional)
docx_path = None  # write the report as a Word document to this path (optional)
fingerprint = None  # set by fivestar compare (inputs, parameters and version)
generated = None  # set by fivestar compare (the generation date)

# %%
from fivestar_analysis.render.comparison_notebook import (
    prepare,
    show,
    write_document,
    write_workbook,
)

cmp = prepare(data_dirs, year=year, language=language, fingerprint=fingerprint,
              generated=generated)

# %%
show("title", cmp)

# %%
show("ranking", cmp)

# %%
show("stars", cmp)

# %%
show("income", cmp)

# %%
show("survey", cmp)

# %%
show("lagging", cmp)

# %%
show("appendix", cmp)

# %%
_ = write_workbook(cmp, xlsx_path)

# %%
_ = write_document(cmp, docx_path)
