"""A county package in which every name and open answer is hostile (generated, seeded).

Branch, township and county names, codebook texts, option labels, an extra ledger column
and open answers carry markup (script, event handlers, iframes, SVG, base, forms, links),
Markdown, Jinja syntax, spreadsheet formulas, bidirectional overrides, zero-width
characters, a 10,000-character name, a NUL byte and emoji. ``write_hostile_package``
writes it in the canonical shape (county.yaml, ledger.csv, survey.csv, codebook.csv);
``test_hostile.py`` renders it and checks that none of it becomes active.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import CODEBOOK_HEADERS, LEDGER_HEADERS, RURAL_STARS, write_csv

EVIL = "http://evil.example/"
LONG_NAME = "长" * 10_000

#: markup that would act if it reached a page as HTML
MARKUP = [
    "<script>alert(1)</script>村",
    '<img src=x onerror="alert(1)">村',
    f'<iframe src="{EVIL}"></iframe>村',
    '<svg onload="alert(1)"><circle r="9"/></svg>村',
    f'<object data="{EVIL}x.swf"></object>村',
    f'<embed src="{EVIL}x">村',
    f'<base href="{EVIL}">村',
    f'<form action="{EVIL}"><input name="q"></form>村',
    '<a href="javascript:alert(1)">点我</a>村',
    "<style>body{display:none}</style>村",
    f'<link rel="stylesheet" href="{EVIL}x.css">村',
    f'<meta http-equiv="refresh" content="0;url={EVIL}">村',
    '<div onmouseover="alert(1)">悬停</div>村',
    "<!-- 注释 -->村",
    "&lt;script&gt;实体&amp;村",
]
#: Markdown that would become emphasis, links, images or blocks in the narrative
MARKDOWN = [
    "**加粗**村",
    "__粗__与_斜_村",
    f"[链接]({EVIL})村",
    f"![图]({EVIL}x.png)村",
    "[脚本](javascript:alert(1))村",
    "`代码`村",
    f"<{EVIL}>村",
    "# 标题村",
    "> 引用村",
    "1. 列表村",
    "~~删除~~村",
    f"[引用]: {EVIL}",
]
#: template syntax, format strings and formula prefixes
SYNTAX = [
    "{{7*7}}村",
    "{% if true %}真{% endif %}村",
    "%(name)s{0}村",
    "$\\frac{1}{0}$村",
    f'=HYPERLINK("{EVIL}","点我")',
    "=1+1",
    "+1+1村",
    "-2+3村",
    "@SUM(A1)村",
    "\t=1+1村",
    "#N/A",
]
#: characters that are not what they look like, and big or rare ones
CHARACTERS = [
    "村\u202e名反转",
    "零\u200b宽\u200d村",
    "🌟星光村👍",
    "NUL\x00村",
    LONG_NAME,
    "\"引号'村",
]
BRANCH_NAMES = MARKUP + MARKDOWN + SYNTAX + CHARACTERS

TOWNSHIPS = [
    "<script>alert('镇')</script>东镇",
    f"**南乡**_[点我]({EVIL})_",
    f'=HYPERLINK("{EVIL}","西街道")',
    "{{7*7}}北镇",
    "中\u202e镇\u200b心",
    '<svg onload="alert(1)">山乡',
]
COUNTY_NAME = '<b>示范</b><script>alert("县")</script>{{7*7}}**县**_[x](http://evil.example/)'
CODE = "hostile"

ANSWERS = [
    "<script>alert('答')</script>集体经济要发展",
    '<img src=x onerror="alert(2)">产业项目太少',
    f'<iframe src="{EVIL}"></iframe>集体经济收入低',
    "**集体经济**要_壮大_",
    f"[集体经济]({EVIL})需要项目",
    "{{7*7}}集体经济",
    f'=HYPERLINK("{EVIL}","集体经济")',
    "+集体经济-产业@项目",
    "集体经济\u202e要发展",
    "🌟集体经济👍",
    "<svg onload=alert(3)>人居环境要整治",
    "`垃圾`清运不及时",
    "{% raw %}人居环境{% endraw %}",
    "-人居环境差",
    "@人居环境",
]
#: texts of the codebook (questions) and option labels, hostile too
T1_TEXT = "<script>alert('问')</script>您的**建议**{{7*7}}"
K1_TEXT = '{{7*7}}是否听说过<img src=x onerror="alert(4)">'
M1_OPTIONS = (f"1=<b>集体经济</b>薄弱;2=**环境**短板;3==HYPERLINK(\"{EVIL}\",\"参与\")不足")
EXTRA_HEADER = '<b onmouseover="alert(5)">备注</b>'

#: what an HTML page must show as text (not as markup): a sample of the above
VISIBLE = ["<script>alert('镇')</script>东镇", '<img src=x onerror="alert(1)">村',
           f'<iframe src="{EVIL}"></iframe>村', "**加粗**村", "`代码`村", "# 标题村", "{{7*7}}村",
           f'=HYPERLINK("{EVIL}","点我")', '<svg onload="alert(1)">山乡', "{{7*7}}北镇"]

A, P = "已创成", "计划"


def _stars(i: int, year: int) -> list[str]:
    """Stars of branch ``i``: levels spread from 0 to 5, a little better in the later year."""
    level = (i * 7 + (1 if year == 2024 else 0)) % 6
    out = [A if k < min(level, 4) else (P if k == min(level, 4) else "") for k in range(4)]
    out.append(A if level == 5 else "")
    return out


def ledger(names: list[str]) -> tuple[list[str], list[list[str]]]:
    headers = [*LEDGER_HEADERS[:5], *RURAL_STARS, "村集体经济收入（万元）", "人口", "党员数",
               EXTRA_HEADER]
    rows = []
    for year in (2023, 2024):
        for i, name in enumerate(names):
            stars = _stars(i, year)
            income = f"{(i * 3.7 + (2 if year == 2024 else 0)) % 60:.1f}"
            rows.append([f"H{i:03d}", name, TOWNSHIPS[i % len(TOWNSHIPS)], "农村", str(year),
                         *stars, income, str(500 + 37 * i), str(20 + i % 30),
                         SYNTAX[i % len(SYNTAX)]])
    return headers, rows


def survey(n_branches: int, answers: list[str]) -> tuple[list[str], list[list[str]]]:
    headers = ["问卷编号", "支部编码", "身份", "年龄", "性别", "姓名", "手机号",
               "S1", "S2", "I1", "K1", "P1", "M1", "T1"]
    groups = ["群众", "党员", "村干部", "群众", "群众"]
    rows = []
    for i in range(150):
        rows.append([
            f"R{i:03d}", f"H{i % n_branches:03d}", groups[i % len(groups)], str(25 + i % 50),
            "男" if i % 2 else "女", "<script>alert('人')</script>张三", f"1380000{i:04d}",
            str(1 + i % 5), str(1 + (i * 3) % 5), str(1 + (i * 2) % 5), str(i % 2),
            str((i + 1) % 2), "1;3" if i % 3 else "2", answers[i % len(answers)],
        ])
    return headers, rows


def codebook() -> tuple[list[str], list[list[str]]]:
    return CODEBOOK_HEADERS, [
        ["S1", "对村里**产业**发展满意吗", "industry", "satisfaction", "1", "5", "否", ""],
        ["S2", "村里<b>环境</b>脏乱差问题突出", "ecology", "satisfaction", "1", "5", "是", ""],
        ["I1", "产业发展有多重要", "industry", "importance", "1", "5", "", ""],
        ["K1", K1_TEXT, "awareness", "knowledge", "0", "1", "", "1=是;0=否"],
        ["P1", "是否参与过创建活动", "participation", "choice", "", "", "", "1=参与过;0=未参与"],
        ["M1", "最突出的问题", "problems", "multi", "", "", "", M1_OPTIONS],
        ["T1", T1_TEXT, "suggestions", "text", "", "", "", ""],
    ]


def county_yaml(name: str = COUNTY_NAME, code: str = CODE) -> str:
    return yaml.safe_dump({"name": name, "code": code, "province": "<i>河南省</i>",
                           "city": "{{7*7}}市", "year": 2024,
                           "targets": {"share_3plus": 0.6, "five_star": 3}},
                          allow_unicode=True, sort_keys=False)


def write_hostile_package(folder: Path, *, with_nul: bool = True, name: str = COUNTY_NAME,
                          code: str = CODE) -> Path:
    """Write the hostile package; ``with_nul=False`` leaves the NUL byte out (for a loader
    that refuses it, so the rest can still be rendered)."""
    folder.mkdir(parents=True, exist_ok=True)
    strip = (lambda s: s) if with_nul else (lambda s: s.replace("\x00", ""))
    names = [strip(n) for n in BRANCH_NAMES]
    answers = [strip(a) for a in ANSWERS] + (["集体经济\x00要发展"] if with_nul else [])
    (folder / "county.yaml").write_text(county_yaml(name, code), encoding="utf-8")
    write_csv(folder / "ledger.csv", *ledger(names))
    write_csv(folder / "survey.csv", *survey(len(names), answers))
    write_csv(folder / "codebook.csv", *codebook())
    return folder
