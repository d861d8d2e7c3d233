"""Privacy rules: which columns identify a person, and what is masked in free text.

Identifying columns (names, phone numbers, ID numbers) are removed by the loader, so no
analysis can reach them. In open answers the loader masks ID and phone numbers, the names
held in the survey's own name column (:func:`roster_names`), and a surname or name followed
by a title (王书记, 李建国主任, 赵会计 …). Words are not guessed to be names from how they
look: "别光应付检查" stays as it is. Precision and recall of the name masking, measured on
a labelled set of answers, are in ``docs/privacy.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = ["is_identifying_header", "is_name_header", "roster_names", "find_personal",
           "mask_text", "mask_names", "NAME_MASK", "PHONE_MASK", "ID_MASK"]

NAME_MASK = "[姓名已隐去]"
PHONE_MASK = "[电话已隐去]"
ID_MASK = "[证件号已隐去]"

# Header fragments (after width folding and lower-casing) that mark a person's identity.
_IDENTIFYING = (
    "姓名", "名字", "受访者", "被访者", "联系人", "手机", "电话", "联系方式", "身份证", "证件号",
    "微信", "住址", "家庭地址", "name", "phone", "mobile", "tel", "id_card", "idcard",
    "id_number", "identity", "wechat", "address", "email", "邮箱",
)

# Mainland ID numbers (18 characters, last may be X) and phone numbers (mobile, or landline
# with area code), allowing spaces or dashes inside.
_ID_RE = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}\d{2}\d{2}\d{3}[0-9Xx](?![0-9])")
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9])")
_LANDLINE_RE = re.compile(r"(?<![0-9])0\d{2,3}[\s-]?\d{7,8}(?![0-9])")


_FULLWIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: "X", 0xFF58: "x"}


def is_identifying_header(header: str) -> bool:
    """True if a survey column header names a person's identity (name, phone, ID …)."""
    h = unicodedata.normalize("NFKC", str(header)).strip().lower().replace(" ", "_")
    if h in ("branch_name", "支部名称", "村名", "社区名"):
        return False
    return any(part in h for part in _IDENTIFYING)


def is_name_header(header: str) -> bool:
    """True if an identifying column holds people's names (姓名, 名字, 联系人 …)."""
    h = unicodedata.normalize("NFKC", str(header)).strip().lower().replace(" ", "_")
    return is_identifying_header(header) and any(
        part in h for part in ("姓名", "名字", "联系人", "受访者", "被访者", "户主", "name"))


# -- names --------------------------------------------------------------------------------

#: common Chinese surnames; characters far more often part of an ordinary word before a
#: title (和, 于, 向, 连 …; 党支部, 公司, 班主任) are left out, and so are rare surnames
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶"
    "黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
    "关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶牟艾尤阳穆农卓古吉缪简车项芦麦褚娄窦戚岑景宫费卜冷晏席卫米柏宗瞿桂佟臧闵"
    "苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡鞠惠荆冀郁胥储栗燕"
    "楚鄢劳谌奚皮粟冼蔺楼盘闻厉伊仝郜阚权帅屠豆朴盖练廉禹井祖漆巴丰卿狄计索宣晋初扈晁芮阙"
    "浦戈伏鹿薄邸雍辜裘亓修邰赫杭况宿逯隆茹诸战慕危亢嵇湛宾戎勾茅揭尉冶檀展昝衡尧")
_SURNAMES_2 = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
                         "令狐", "长孙", "宇文", "司徒", "夏侯", "端木", "独孤", "南宫", "西门"})

#: titles that follow a person's surname or name when answers talk about village affairs
TITLES = ("副书记", "书记", "支书", "副主任", "主任", "副村长", "村长", "副镇长", "镇长", "副乡长",
          "乡长", "县长", "区长", "会计", "出纳", "文书", "委员", "组长", "队长", "社长", "站长",
          "所长", "局长", "部长", "科长", "主席", "网格员", "专干", "医生", "大夫", "老师", "同志",
          "师傅", "经理", "老板", "大爷", "大娘", "大妈", "大哥", "大姐", "大嫂", "阿姨", "奶奶",
          "爷爷", "婶子", "老汉")
_TITLE_RE = re.compile("|".join(sorted(map(re.escape, TITLES), key=len, reverse=True)))
#: characters that stand before a title without being part of a name (村支书, 党委书记,
#: 第一书记, 我们书记, 老书记, 村委会主任 …): the given name never contains one
_NOT_IN_NAME = frozenset(
    "的了是在和与跟向找给对让被把叫请问由从为同及或也都就还又再才很太最更好多少个位名些们"
    "这那哪每各某该本此其他她它我你您咱谁啥村镇乡县区市省组队部委会室站所局厅处科办党团支"
    "副正总老新旧前后现原代任当选第二三四五六七八九十两几上下中里外内员领干群众户家人书记"
    "主席官工作说讲要能想看帮喊感谢觉得到过着地之以于而且但如果因既然"
    "，。、；：？！,.;:?!（）()“”\"'《》【】 \t\n")
#: words ending in a surname character that often stand right before a title (感谢书记)
_WORDS_BEFORE_TITLES = ("感谢", "谢谢", "多谢", "致谢", "表扬", "报告", "邀请", "尊敬", "敬爱",
                        "亲爱", "辛苦", "麻烦", "担任", "优秀", "模范", "兼任", "当好", "争当",
                        "不管", "只管", "尽管", "主管", "分管", "包管", "希望", "期望")
#: values of a name column that are not names
_NOT_NAMES = frozenset({"匿名", "无", "不详", "保密", "略", "未填", "未知", "空", "某某", "村民",
                        "群众", "党员", "干部", "居民", "本人", "不愿透露", "none", "null", "n/a",
                        "na", "anonymous", "-", "/", "无名"})


#: a text of CJK ideographs only (the ranges of :func:`_is_cjk`)
_CJK_WORD = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def _surname_at(text: str, i: int) -> int:
    """Length of the surname starting at ``text[i]``: 2, 1, or 0 for none."""
    if text[i:i + 2] in _SURNAMES_2:
        return 2
    return 1 if text[i] in _SURNAMES_1 else 0


def _name_before_title(text: str, t: int) -> tuple[int, int] | None:
    """The name right before a title that starts at ``t`` (王书记, 王建国书记, 欧阳主任) as
    ``(start, end)``; None when no surname and given name stand there."""
    for length in (4, 3, 2, 1):  # the full name first, then the surname alone
        i = t - length
        if i < 0:
            continue
        s = _surname_at(text, i)
        if not s or s > length or (length == 4 and s != 2):
            continue
        given = text[i + s:t]
        if any(c in _NOT_IN_NAME or not _is_cjk(c) for c in given):
            continue
        if given and text[i:t] in _dictionary()[0]:
            continue  # 林业站长, 纪检委员, 修理师傅: a word, not a name
        before = text[max(0, i - 3):i + 1]
        if any(before.endswith(w) for w in _WORDS_BEFORE_TITLES):
            continue  # 感谢书记, 不管书记: the "surname" ends another word
        return i, t
    return None


def _title_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _TITLE_RE.finditer(text):
        found = _name_before_title(text, m.start())
        if found:
            spans.append(found)
    return spans


@lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """Words of two to four characters from jieba's dictionary: ``(ordinary, frequent)``.

    ``ordinary`` are words jieba does not tag as a person's name (nr…) seen 20 times or more
    (林业, 纪检, 卫生院, 修理); ``frequent`` are words seen 500 times or more whatever their
    tag (文明 and 高峰 are tagged as names, but mostly they are words).
    """
    from fivestar_analysis.load.jieba_tables import name_screen_words

    return name_screen_words()


def roster_names(columns: Mapping[str, Iterable] | Iterable[tuple[str, Iterable]]
                 ) -> frozenset[str]:
    """The people named in a survey's name columns, to be masked wherever an answer
    mentions them.

    ``columns`` maps headers to their cells; only name columns (:func:`is_name_header`)
    are read. Placeholders such as 匿名 or 无, single characters and common words are left
    out.

    >>> sorted(roster_names({"姓名": ["王建国", "匿名", "文明", " 李秀英 "], "手机号": ["138"]}))
    ['李秀英', '王建国']
    """
    import numpy as np
    import pandas as pd

    items = columns.items() if isinstance(columns, Mapping) else columns
    names: set[str] = set()
    for header, cells in items:
        if not is_name_header(header):
            continue
        for v in pd.unique(np.asarray(list(cells) if not hasattr(cells, "__array__") else cells,
                                      dtype=object)):  # each distinct cell once
            if not isinstance(v, str):
                continue
            v = unicodedata.normalize("NFKC", v).strip()
            if len(v) < 2 or len(v) > 40 or v.lower() in _NOT_NAMES:
                continue
            if _CJK_WORD.fullmatch(v):
                if len(v) <= 6:
                    names.add(v)
            elif len(v) >= 3 and any(c.isalpha() for c in v):
                names.add(v)
    if names:
        ordinary, frequent = _dictionary()
        names = {n for n in names if n not in ordinary and n not in frequent}
    return frozenset(names)


@lru_cache(maxsize=8)
def _lengths(names: frozenset[str]) -> tuple[int, ...]:
    return tuple(sorted({len(n) for n in names}, reverse=True))


def _roster_spans(text: str, names: frozenset[str]) -> list[tuple[int, int]]:
    """Where the listed names occur, longest first at each position."""
    if not names:
        return []
    lengths = _lengths(names)
    spans, i = [], 0
    while i < len(text):
        for n in lengths:
            piece = text[i:i + n]
            if len(piece) == n and piece in names and _stands_alone(text, i, i + n):
                spans.append((i, i + n))
                i += n - 1
                break
        i += 1
    return spans


def _stands_alone(text: str, a: int, b: int) -> bool:
    """A Latin name must be a word of its own (Li is no name inside Library)."""
    if _is_cjk(text[a]):
        return True
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    return not (before.isalnum() or after.isalnum())


# -- masking ------------------------------------------------------------------------------

def find_personal(text: str, names: frozenset[str] | set[str] = frozenset()
                  ) -> list[tuple[int, int, str]]:
    """Where ``text`` holds an ID number, a phone number or a name, as sorted,
    non-overlapping ``(start, end, mask)``.

    >>> find_personal("王书记的电话13812345678")
    [(0, 1, '[姓名已隐去]'), (6, 17, '[电话已隐去]')]
    """
    if not isinstance(text, str) or not text:
        return []
    folded = text.translate(_FULLWIDTH_DIGITS)
    found: list[tuple[int, int, str]] = []
    for rx, mask in ((_ID_RE, ID_MASK), (_MOBILE_RE, PHONE_MASK), (_LANDLINE_RE, PHONE_MASK)):
        found += [(m.start(), m.end(), mask) for m in rx.finditer(folded)]
    found += [(a, b, NAME_MASK) for a, b in _roster_spans(text, frozenset(names))]
    found += [(a, b, NAME_MASK) for a, b in _title_spans(text)]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for a, b, mask in found:
        if kept and a < kept[-1][1]:
            continue  # inside a match already taken
        kept.append((a, b, mask))
    return kept


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for a, b, mask in spans:
        out += [text[last:a], mask]
        last = b
    out.append(text[last:])
    return "".join(out)


def mask_text(text: str, names: frozenset[str] | set[str] = frozenset()) -> str:
    """Replace ID numbers, phone numbers and names inside free text with masks.

    ``names`` are the people of the survey's own name column (:func:`roster_names`); a
    surname or name followed by a title is masked whether it is listed or not.

    >>> mask_text("请联系13812345678")
    '请联系[电话已隐去]'
    >>> mask_text("希望王书记多来村里，别光应付检查")
    '希望[姓名已隐去]书记多来村里，别光应付检查'
    """
    if not isinstance(text, str) or not text:
        return text
    spans = find_personal(text, names)
    return _replace(text, spans) if spans else text


def mask_names(text: str, names: frozenset[str] | set[str] = frozenset()) -> str:
    """Only the name part of :func:`mask_text`: listed names and names before a title."""
    if not isinstance(text, str) or not text:
        return text
    spans = [s for s in find_personal(text, names) if s[2] == NAME_MASK]
    return _replace(text, spans) if spans else text
