"""The report's sections as HTML, built from a :class:`CountyReport` (nothing recomputed).

一、基本情况 → 二、创建成效 → 三、存在问题 → 四、原因分析 → 五、对策建议 → 附录.
Each function returns an HTML string; the notebook displays them one per cell.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fivestar_analysis import charts
from fivestar_analysis._version import __version__
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.display import chart_html, markdown_html, table_html
from fivestar_analysis.present.drivers_section import drivers_html
from fivestar_analysis.present.escape import html_text, md_text
from fivestar_analysis.model.labels import label

__all__ = ["title_html", "basic_html", "achievements_html", "problems_html", "causes_html",
           "measures_html", "appendix_html", "SECTION_TITLES", "finding_title"]

SECTION_TITLES = {
    "basic": ("一、基本情况", "1. Overview"),
    "achievements": ("二、创建成效", "2. Results of the campaign"),
    "problems": ("三、存在问题", "3. Problems"),
    "causes": ("四、原因分析", "4. Causes: what the survey says"),
    "measures": ("五、对策建议", "5. Recommendations"),
    "appendix": ("附录", "Appendix"),
}


def _t(rep, zh: str, en: str) -> str:
    return en if rep.language == "en" else zh


def _h(level: int, text: str) -> str:
    return f"<h{level}>{html_text(text)}</h{level}>\n"


def _section(rep, key: str) -> str:
    zh, en = SECTION_TITLES[key]
    return _h(2, _t(rep, zh, en))


def _md(rep, name: str, **context: Any) -> str:
    return markdown_html(nv.render_section(name, rep.language, rubric=rep.county.rubric, **context))


def _table(rep, df: pd.DataFrame, caption: str, note: str, **kw: Any) -> str:
    return table_html(df, caption=caption, note=note, language=rep.language,
                      rubric=rep.county.rubric, **kw)


def _chart(rep, draw, *args: Any, alt: str, note: str | None = None, **kw: Any) -> str:
    return chart_html(draw, *args, alt=alt, note=note, language=rep.language,
                      rubric=rep.county.rubric, **kw)


def _n_note(rep, method_zh: str, method_en: str, n: int) -> str:
    return _t(rep, f"方法：{method_zh}；n={n:,}", f"Method: {method_en}; n={n:,}")


# -- title ------------------------------------------------------------------------------

def report_title_for(name: str, year: int, language: str) -> str:
    """The report's title, also used for the HTML page title."""
    if language == "en":
        return f"{name}: Five-Star Branch campaign research report, {year}"
    return f"{name}“五星”支部创建调研报告（{year}年）"


def report_title(rep) -> str:
    return report_title_for(rep.county.meta.name, rep.year, rep.language)


def title_html(rep) -> str:
    c = rep.county
    files = "；".join(f"{name}（sha256 {digest[:12]}…）" for name, digest in sorted(c.meta.files.items()))
    place = "".join(x for x in (c.meta.province, c.meta.city) if x)
    rows = [
        (_t(rep, "调研对象", "County"), f"{place}{c.meta.name}（{c.meta.code}）"),
        (_t(rep, "报告年度", "Report year"), str(rep.year)),
        (_t(rep, "数据来源", "Data"), files),
        (_t(rep, "评星标准", "Rubric"), c.rubric.title.get(rep.language)),
        (_t(rep, "生成日期", "Generated"), rep.generated),
        (_t(rep, "工具版本", "Tool version"), f"fivestar-analysis {__version__}"),
        (_t(rep, "输入指纹", "Input fingerprint"), rep.fingerprint or "—"),
        (_t(rep, "参数", "Parameters"), f"year={rep.year}, language={rep.language}"),
    ]
    items = "".join(f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in rows)
    return f'<h1>{html_text(report_title(rep))}</h1>\n<div class="title-block"><dl>{items}</dl></div>\n'


# -- 一、基本情况 -------------------------------------------------------------------------

def _level_table(rep) -> pd.DataFrame:
    lv = rep.levels[rep.levels["year"] == rep.year]
    wide = lv.pivot_table(index="level", columns="kind", values="count", aggfunc="sum",
                          observed=True).reindex(columns=["rural", "community", "all"])
    wide = wide.dropna(axis=1, how="all").fillna(0).astype(int).reset_index()
    wide["level"] = wide["level"].map(lambda n: _t(rep, f"{'零一二三四五'[n]}星", f"{n} stars"))
    return wide.rename(columns={"level": "level_label"})


def basic_html(rep) -> str:
    facts = nv.facts_basic(rep)
    out = [_section(rep, "basic"), _md(rep, "basic", **facts)]
    out.append(_table(rep, _level_table(rep), _t(rep, f"{rep.year}年各星级支部数（个）",
                                                 f"Branches by level, {rep.year}"),
                      _n_note(rep, "按评定结果计数", "count of awarded levels", facts["n_branches"])))
    out.append(_chart(rep, charts.level_history, rep.levels, alt=_t(rep, "历年星级分布", "Levels over the years")))
    out.append(_h(3, _t(rep, "（一）目标进度", "Targets")))
    out.append(_md(rep, "targets", **nv.facts_targets(rep)))
    if not rep.targets.empty:
        out.append(_table(rep, rep.targets, _t(rep, "目标完成情况", "Progress to targets"),
                          _n_note(rep, "目标取自 county.yaml，按评定结果计算", "targets from county.yaml, awarded results",
                                  facts["n_branches"]),
                          columns=["target_name", "level", "target_value", "actual_value",
                                   "target_branches", "actual_branches", "gap_branches", "met"]))
    return "".join(out)


# -- 二、创建成效 -------------------------------------------------------------------------

def achievements_html(rep) -> str:
    out = [_section(rep, "achievements"), _h(3, _t(rep, "（一）各星创建情况", "Star by star"))]
    stars = nv.facts_stars(rep)
    out.append(_md(rep, "stars", stars=stars, year=rep.year))
    att = rep.attainment[(rep.attainment["year"] == rep.year) & (rep.attainment["kind"] != "all")]
    n = int(rep.county.branches_in(rep.year).shape[0])
    out.append(_table(rep, att, _t(rep, f"{rep.year}年各星计划与评定", f"Stars declared and awarded, {rep.year}"),
                      _n_note(rep, "计划=申报或已评定；达成率=评定数/计划数", "declared = planned or awarded; "
                              "achievement = awarded / declared", n),
                      columns=["kind", "star", "n_branches", "n_declared", "n_awarded", "declare_rate",
                               "award_rate", "achievement_rate"]))
    out.append(_chart(rep, charts.star_attainment, rep.attainment, year=rep.year,
                      alt=_t(rep, "各星计划与评定", "Stars declared and awarded")))
    out.append(_chart(rep, charts.township_star_heatmap, rep.attainment_township,
                      alt=_t(rep, "各乡镇分星达成率", "Star rates by township"), figsize=(7.5, 6.5)))
    out.append(_h(3, _t(rep, "（二）年度变化与激励", "Year on year, honours and rewards")))
    out.append(_md(rep, "multi_year", year=rep.year, **nv.facts_multi_year(rep)))
    if rep.previous_year is not None:
        out.append(_chart(rep, charts.level_transitions, rep.transitions, year_to=rep.year,
                          alt=_t(rep, "星级转移矩阵", "Level transitions"), figsize=(6.5, 5.0)))
        sc = rep.star_changes[rep.star_changes["year_to"] == rep.year]
        out.append(_table(rep, sc, _t(rep, "各星增减", "Stars gained and lost"),
                          _n_note(rep, "相邻两年同一支部比较", "same branch, consecutive years",
                                  int(rep.transition_summary.query("year_to == @rep.year and kind == 'all'")["n_both"].sum())),
                          columns=["kind", "star", "held_before", "held_after", "gained", "lost", "net"]))
    if not rep.honours.empty:
        out.append(_table(rep, rep.honours, _t(rep, "银五星、金五星支部", "Silver and gold five-star branches"),
                          _n_note(rep, f"连续五星年数达到{rep.county.rubric.honours.silver_years}年（银）/"
                                  f"{rep.county.rubric.honours.gold_years}年（金）",
                                  "consecutive five-star years", len(rep.honours))))
    out.append(_table(rep, rep.rewards, _t(rep, "奖补资金测算（万元）", "Reward budget (10k yuan)"),
                      _n_note(rep, "每颗星与每个晋星支部按数据包奖励办法计", "per star and per promotion, "
                              "from the rubric's reward policy", n),
                      columns=["kind", "stars", "promotions", "star_reward_wan", "promotion_reward_wan", "total_wan"]))
    return "".join(out)


# -- 三、存在问题 -------------------------------------------------------------------------

FINDING_TITLES = {
    "lowest_star": ("获评最少的星：{s}", "Least-held star: {s}"),
    "bottleneck_star": ("晋级瓶颈：{s}", "Bottleneck to promotion: {s}"),
    "lagging_township": ("落后乡镇：{s}", "Township behind: {s}"),
    "collective_economy": ("集体经济发展滞后{s}", "Collective economy lagging{s}"),
    "weak_lax": ("软弱涣散村党组织", "Weak and lax branches"),
    "weak_secretaries": ("支部书记能力不足", "Weak branch secretaries"),
    "low_awareness": ("知晓率偏低：{s}", "Low awareness: {s}"),
    "capstone_rule": ("评定结果与过硬星规则不符", "Awards break the capstone rule"),
}


def finding_title(rep, f) -> str:
    zh, en = FINDING_TITLES.get(f.kind, (f.kind, f.kind))
    if f.kind == "collective_economy":
        subject = "" if f.scope == "county" else f"（{f.subject}）"
    elif f.kind == "lagging_township":
        subject = f.subject
    else:
        subject = label(f.subject, rep.language, rep.county.rubric)
    return _t(rep, zh, en).format(s=subject)


def _evidence_line(rep, f) -> str:
    sev = label(f.severity, rep.language)
    parts = [_t(rep, f"严重程度：{sev}", f"Severity: {sev}")]
    if f.test:
        parts.append(_t(rep, f"检验：{f.test}", f"Test: {f.test}"))
    if f.statistic is not None:
        parts.append(_t(rep, f"统计量 {f.statistic:.3g}", f"statistic {f.statistic:.3g}"))
    if f.p_value is not None:
        parts.append(nv._env(rep.language).filters["pv"](f.p_value))
    n = f.evidence.get("n") or f.evidence.get("n_branches") or f.evidence.get("n_near") or f.evidence.get("rated")
    if n:
        parts.append(f"n={int(n):,}")
    return "；".join(parts) if rep.language != "en" else "; ".join(parts)


def problems_html(rep) -> str:
    out = [_section(rep, "problems")]
    if not rep.findings:
        out.append(markdown_html(_t(rep, "按当前阈值，未发现需要单列的突出问题。", "No weak link passes the thresholds.")))
    for i, f in enumerate(rep.findings, 1):
        body = nv.render_section("finding", rep.language, f=f, rubric=rep.county.rubric,
                                 weak_below=rep.county.rubric.weak_village_below_wan)
        out.append(f'<div class="finding {f.severity}" id="finding-{i}">'
                   + _h(3, f"F{i} {finding_title(rep, f)}") + markdown_html(body)
                   + f'<p class="evidence">{html_text(_evidence_line(rep, f))}</p></div>')
    out.append(_h(3, _t(rep, "集体经济状况", "The collective economy")))
    econ = nv.facts_economy(rep)
    out.append(_md(rep, "economy", year=rep.year, **econ))
    if econ["n"]:
        out.append(_table(rep, rep.income_tiers, _t(rep, "村集体经济收入分档", "Collective income tiers"),
                          _n_note(rep, "农村支部，按数据包的收入分档", "village branches, the rubric's tiers", econ["n"]),
                          columns=["tier", "count", "share"]))
        out.append(_chart(rep, charts.income_by_level, rep.county.branches_in(rep.year),
                          alt=_t(rep, "各星级集体收入", "Income by level")))
        out.append(_chart(rep, charts.income_tiers_by_township, rep.income_tiers_township,
                          alt=_t(rep, "各乡镇收入分档", "Income tiers by township"), figsize=(7.5, 6.5)))
        out.append(_table(rep, rep.income_tests, _t(rep, "收入与星级的关联检验", "Income and level: tests"),
                          _t(rep, "Spearman秩相关（Bonett–Wright置信区间）；Kruskal–Wallis检验（ε²）；Mann–Whitney检验（秩二列相关，获产业兴旺星与否）",
                             "Spearman (Bonett–Wright CI); Kruskal–Wallis (ε²); Mann–Whitney (rank-biserial, industry star or not)"),
                          columns=["method", "n", "estimate", "ci_low", "ci_high", "statistic", "p_value",
                                   "effect_size", "effect_size_name"]))
    behind = rep.township_comparison
    out.append(_table(rep, behind, _t(rep, "各乡镇三星以上占比与全县其余乡镇比较", "Townships against the rest of the county"),
                      _n_note(rep, "单侧Fisher精确检验，Holm多重比较校正", "one-sided Fisher exact test, Holm correction",
                              int(behind["n_branches"].sum()) if not behind.empty else 0),
                      columns=["township", "n_branches", "count_3plus", "share_3plus", "rest_share",
                               "share_difference", "p_value", "p_adj", "behind"], max_rows=12))
    return "".join(out)


# -- 四、原因分析 -------------------------------------------------------------------------

def causes_html(rep) -> str:
    out = [_section(rep, "causes"), drivers_html(rep)]
    s = rep.survey
    if s is None:
        out.append(markdown_html(_t(rep, "本数据包没有问卷数据，原因分析从略；建议补充群众、党员和干部问卷。",
                                    "The package has no survey; add questionnaires of residents, members and cadres.")))
        return "".join(out)
    facts = nv.facts_survey(rep)
    out.append(_md(rep, "survey", **facts))
    est = s.estimates
    star_keys = rep.county.rubric.all_star_keys()
    overall_key = nv.overall_dimension(est)
    keep = star_keys + ([overall_key] if overall_key else [])
    by_group = est[(est["by"].isin(["county", "group"])) & (est["measure"] == "index")
                   & est["dimension"].isin(keep)]
    out.append(_chart(rep, charts.dimension_scores, by_group,
                      alt=_t(rep, "各方面满意度指数", "Satisfaction by area")))
    table = by_group.assign(subgroup=by_group["subgroup"].where(by_group["by"] != "county", "all"))
    out.append(_table(rep, table, _t(rep, "满意度指数（百分制）", "Satisfaction index (0–100)"),
                      _t(rep, f"方法：各题反向计分后取均值再换算为0–100；95% t置信区间；少于{s.k}人的格不显示；n为有效样本",
                         f"Method: item means after reverse coding, rescaled to 0–100; 95% t-interval; cells under {s.k} respondents suppressed"),
                      columns=["subgroup", "dimension", "n", "estimate", "ci_low", "ci_high", "suppressed"],
                      decimals={"estimate": 1, "ci_low": 1, "ci_high": 1}))
    out.append(_chart(rep, charts.ipa_quadrant, s.ipa[s.ipa["group"] == "all"],
                      alt=_t(rep, "重要性—满意度分析", "Importance–performance analysis"), figsize=(7.0, 5.5)))
    out.append(_chart(rep, charts.likert_bars, rep.likert, alt=_t(rep, "各方面回答分布", "Answers by area"),
                      figsize=(7.5, 4.5)))
    aw = s.awareness
    texts = rep.county.codebook.set_index("item")["text"].astype(str)
    short = {i: (x if len(x) <= 16 else x[:15] + "…") for i, x in texts.items() if x and x != "nan"}
    out.append(_chart(rep, charts.awareness_by_group, aw, item_labels=short,
                      alt=_t(rep, "知晓率与参与率", "Awareness and participation")))
    out.append(_table(rep, aw[aw["group"] != "all"], _t(rep, "知晓率与参与率", "Awareness and participation"),
                      _t(rep, "方法：比例及Wilson 95%置信区间", "Method: proportion with Wilson 95% interval"),
                      columns=["measure", "item", "group", "n", "count", "estimate", "ci_low", "ci_high", "suppressed"],
                      percent=["estimate", "ci_low", "ci_high"]))
    ch = s.choices
    multi = ch[(ch["role"] == "multi") & (ch["group"] == "all")].sort_values("share", ascending=False)
    if not multi.empty:
        out.append(_table(rep, multi, _t(rep, "“最突出的问题”选择情况（多选）", "Biggest problems (multi-select)"),
                          _t(rep, "方法：选择该项的受访者占比及Wilson 95%置信区间", "Method: share of respondents choosing it, Wilson 95% interval"),
                          columns=["option_label", "n", "count", "share", "ci_low", "ci_high", "suppressed"],
                          percent=["share", "ci_low", "ci_high"]))
    gt = s.group_tests[s.group_tests["dimension"].isin(keep)]
    out.append(_table(rep, gt, _t(rep, "群众、党员、干部满意度差异检验", "Residents, members and cadres compared"),
                      _t(rep, "方法：Kruskal–Wallis检验，效应量ε²；两两比较见附录（Dunn检验，Holm校正）",
                         "Method: Kruskal–Wallis, effect size ε²; pairwise Dunn tests with Holm correction in the appendix"),
                      columns=["dimension", "n", "n_groups", "statistic", "df", "p_value", "effect_size", "suppressed"]))
    ia = s.income_association
    out.append(_table(rep, ia, _t(rep, "集体收入与满意度（以支部为单位）", "Collective income and satisfaction (branch level)"),
                      _t(rep, "方法：先按支部汇总受访者均值，再计算Spearman秩相关；n_branches为支部数",
                         "Method: respondents averaged per branch first, then Spearman correlation over branches"),
                      columns=["dimension", "unit", "n_branches", "statistic", "ci_low", "ci_high", "p_value", "suppressed"]))
    if not s.themes.empty:
        out.append(_h(3, _t(rep, "开放题：群众的意见建议", "Open answers")))
        out.append(_table(rep, s.themes.sort_values("share", ascending=False),
                          _t(rep, "开放题涉及的主题", "Themes of the open answers"),
                          _t(rep, "方法：jieba分词（含领域词典），按主题关键词归类；一条回答可涉及多个主题",
                             "Method: jieba segmentation with a domain dictionary, keyword themes; an answer may touch several"),
                          columns=["theme", "n", "count", "share", "suppressed"], percent=["share"]))
        ex = s.examples.sort_values(["theme", "example_rank"])
        out.append(_table(rep, ex, _t(rep, "回答示例（姓名、电话、证件号已隐去）", "Example answers (names, phone and ID numbers masked)"),
                          _t(rep, "每个主题最多列出几条原话", "a few verbatim answers per theme"),
                          columns=["theme", "example"], max_rows=15))
    return "".join(out)


# -- 五、对策建议 -------------------------------------------------------------------------

def measures_html(rep) -> str:
    out = [_section(rep, "measures")]
    if not rep.recommendations:
        out.append(markdown_html(_t(rep, "暂无与问题对应的建议。", "No recommendation applies.")))
    for i, r in enumerate(rep.recommendations, 1):
        refs = "、".join(f'<a href="#finding-{j + 1}">F{j + 1}</a>' for j in r.finding_indices)
        measures = "、".join(r.measures)
        source = _t(rep, f"针对问题 {refs}；主要举措：{html_text(measures)}",
                    f"Answers {refs}; measures: {html_text(measures)}")
        out.append(f'<div class="recommendation">{_h(3, f"（{i}）{r.title}" if rep.language != "en" else f"{i}. {r.title}")}'
                   f"<p>{html_text(r.text)}</p><p class=\"source\">{source}</p></div>")
    out.append(_h(3, _t(rep, "稳三进四争五：晋级候选支部", "Branches closest to the next level")))
    cand = rep.candidates
    if cand.empty:
        out.append(markdown_html(_t(rep, "没有差一颗星即可晋级的候选支部。", "No branch is one star short.")))
    else:
        out.append(_table(rep, cand, _t(rep, "差一颗星即可晋级的支部（按接近程度排序）", "One star short, closest first"),
                          _t(rep, "依据：已申报未评上的星优先，其次按相关指标判断最接近的星；closes_gap表示晋级后可补目标缺口",
                             "Basis: stars declared but not awarded first, then indicators; closes_gap marks those that close the target gap"),
                          columns=["candidate_rank", "branch_name", "township", "kind", "level", "target_level",
                                   "nearest_star", "collective_income_wan", "closes_gap"], max_rows=20))
    out.append(_h(3, _t(rep, "帮带结对方案", "Mentoring pairs")))
    plan = rep.mentoring
    rules = "；".join(_t(rep, f"每个{m.mentor_level}星支部至少带{m.min_mentees}个{m.mentee_level}星支部",
                          f"each {m.mentor_level}-star branch mentors at least {m.min_mentees} {m.mentee_level}-star")
                     for m in rep.county.rubric.mentoring)
    if rep.mentoring_within == "too_large":
        out.append(markdown_html(_t(
            rep, "支部数量过多，即使在单个乡镇（街道）内也无法求解结对指派问题，本报告未给出结对方案；"
                 "可按乡镇分别生成报告后再制定结对方案。",
            "Too many branches to solve the mentoring assignment even within one township, so "
            "this report gives no plan; render the townships separately to get one.")))
    elif plan.pairs.empty:
        out.append(markdown_html(_t(rep, f"按规则（{rules}），本年度没有可以结对的支部。", f"No pairs under the rules ({rules}).")))
    else:
        same = float(plan.pairs["same_township"].mean())
        if rep.mentoring_within == "township":
            how = _t(rep, "全县支部过多，无法作为一个指派问题求解，因此在每个乡镇（街道）内分别求解"
                          "（匈牙利算法），只在乡镇内结对并均衡带教数量；本乡镇没有合适帮带支部的列入未能结对。",
                     "too many branches to solve as one assignment problem, so each township was solved "
                     "on its own (Hungarian algorithm), pairing only within townships and balancing loads; "
                     "branches with no suitable mentor in their township are listed as not paired.")
        else:
            how = _t(rep, "以指派问题（匈牙利算法）求解，优先同乡镇并均衡带教数量。",
                     "solved as an assignment problem preferring the same township and balanced loads.")
        out.append(markdown_html(_t(rep, f"按规则（{rules}），共结成{len(plan.pairs)}对，其中{same:.0%}在同一乡镇；{how}",
                                    f"Under the rules ({rules}), {len(plan.pairs)} pairs, {same:.0%} within one township; {how}")))
        out.append(_table(rep, plan.pairs, _t(rep, "结对名单", "Pairs"), _t(rep, "完整名单见导出的工作簿", "full list in the workbook"),
                          columns=["mentor_name", "mentor_township", "mentor_level", "mentee_name", "mentee_township",
                                   "mentee_level", "same_township"], max_rows=25))
        if not plan.unmatched.empty:
            out.append(_table(rep, plan.unmatched, _t(rep, "未能结对", "Not paired"), _t(rep, "未能结对的原因见“原因”列", "the Reason column says why"),
                              max_rows=20))
    return "".join(out)


# -- 附录 -------------------------------------------------------------------------------

def _problems_frame(rep, problems) -> pd.DataFrame:
    """Warnings or reading notes as a table: file, row, column, message."""
    return pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column,
                          "message": p.message(rep.language)} for p in problems])


def appendix_html(rep) -> str:
    out = [_section(rep, "appendix"), _h(3, _t(rep, "（一）数据质量", "Data quality"))]
    w = rep.county.warnings
    if w:
        out.append(table_html(_problems_frame(rep, w), caption=_t(rep, "载入数据时的警告", "Warnings on loading"),
                              note=_t(rep, "警告不影响报告生成，但应核对", "warnings do not stop the report but deserve a check"),
                              language=rep.language))
    else:
        out.append(markdown_html(_t(rep, "载入数据时没有警告。", "No warnings on loading.")))
    notes = getattr(rep.county, "notes", None) or []
    if notes:
        out.append(table_html(_problems_frame(rep, notes), caption=_t(rep, "读取说明：跳过的行与识别方式", "How the files were read"),
                              note=_t(rep, "被跳过行中的文字（如填表人、电话）不进入任何分析或输出",
                                      "text of skipped rows (such as a clerk's name or phone) reaches no analysis or output"),
                              language=rep.language))
    if rep.county.removed_identifying_columns:
        cols = "、".join(md_text(c) for c in rep.county.removed_identifying_columns)
        out.append(markdown_html(_t(rep, f"为保护受访者隐私，以下列在载入时已删除，未进入任何分析：{cols}。",
                                    f"To protect respondents, these columns were removed on loading: {cols}.")))
    out.append(_table(rep, rep.consistency[rep.consistency["year"] == rep.year],
                      _t(rep, "一致性检查：Σ(星级×支部数)=Σ各星数量，过硬星数=五星支部数", "Consistency checks"),
                      _t(rep, "任何不一致都说明台账登记有误", "any mismatch points to a ledger error"),
                      columns=["kind", "basis", "n_branches", "level_total", "star_total", "total_difference",
                               "five_star", "capstone_count", "consistent"]))
    out.append(_h(3, _t(rep, "（二）方法说明", "Methods")))
    out.append(markdown_html(nv.render_section("methods", rep.language)))
    if rep.survey is not None:
        out.append(_table(rep, rep.survey.reliability, _t(rep, "各维度信度（Cronbach's α）", "Reliability (Cronbach's α)"),
                          _t(rep, "Feldt法95%置信区间；完整个案", "Feldt 95% interval; complete cases"),
                          columns=["dimension", "k_items", "n", "alpha", "ci_low", "ci_high", "mean_inter_item_r", "suppressed"]))
        out.append(_table(rep, rep.survey.item_quality, _t(rep, "各题有效回答", "Valid answers per item"),
                          _t(rep, "声明的缺失代码（如“说不清”）按缺失处理", "declared missing codes (don't know) count as missing"),
                          columns=["item", "dimension", "role", "n", "n_valid", "n_blank", "n_dont_know", "share_valid"]))
    out.append(_h(3, _t(rep, "（三）分乡镇明细", "Township details")))
    towns = rep.share_3plus_township[rep.share_3plus_township["year"] == rep.year]
    out.append(_table(rep, towns, _t(rep, "各乡镇三星以上占比", "Three-plus share by township"),
                      _n_note(rep, "按评定结果", "awarded", int(towns["n_branches"].sum())),
                      columns=["township", "n_branches", "count_3plus", "share_3plus"]))
    out.append(_table(rep, rep.income_by_township, _t(rep, "各乡镇集体经济收入（万元）", "Income by township (10k yuan)"),
                      _t(rep, "中位数与四分位数；几何均值基于log(1+x)", "median and quartiles; geometric mean on log(1+x)"),
                      columns=["township", "n", "median_wan", "q1_wan", "q3_wan", "share_weak", "share_strong"]))
    return "".join(out)
