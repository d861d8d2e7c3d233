"""A labelled set of open answers for measuring the masking of names, phones and ID numbers.

Each entry is an answer and the pieces of it that identify a person (names, phone numbers,
ID numbers); an empty list means nothing in it identifies anyone. ``ROSTER`` is the survey's
own name column (姓名). The answers are written for these tests in the voice of village
questionnaires: ordinary suggestions, sentences with titles but no names (党支部书记, 第一书记,
感谢书记), words that look like names (文明, 国庆, 张庄村), names before titles, names from
the roster, names the rules cannot know (a title before the name, a nickname, someone not
in the roster) and numbers.

``measure`` scores a masking function character by character (precision: masked characters
that were identifying; recall: identifying characters that were masked) and answer by answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: the survey's 姓名 column; 文明 and 高峰 are real given-and-family names that are also
#: common words, and must not mask those words everywhere
ROSTER = ["王建国", "李秀英", "张志强", "刘德明", "陈春梅", "杨海涛", "赵玉珍", "黄国庆", "周丽华",
          "吴桂兰", "孙建军", "马红梅", "朱卫东", "胡晓燕", "郭文斌", "何丽娟", "高志刚", "林小红",
          "罗永强", "郑秀兰", "李娜", "文明", "高峰", "匿名"]

#: suggestions of the kind the demo survey and real questionnaires hold: nothing to mask
PLAIN = [
    "别光应付检查，要看实际效果", "建议别光应付检查，要看实际效果。", "少搞材料和台账，多办实事",
    "不要把功夫都花在迎检上", "多引进几个项目，把集体经济搞起来", "把闲置的院子和厂房盘活用起来",
    "发展特色种植，带着大家一起增收", "多和企业结对子，给年轻人找点活干", "想办法给集体经济找条路子",
    "把坑塘和残墙断壁清理一下", "垃圾清运再勤快一些", "修修排水沟，下雨天路上别积水",
    "多种点树，把村容村貌再提一提", "在人居环境上再下点功夫", "多开群众会，听听大家的想法",
    "创建的事多让群众参与进来", "评星的时候也问问老百姓的意见", "班子里多培养些年轻人",
    "干部多下来走走，少坐办公室", "对软弱涣散的问题真抓整改", "给村干部多搞点培训",
    "把评星的标准贴出来让大家都知道", "多用广播和微信群讲讲政策", "把宣传做得再到位一点",
    "希望村里把路灯修一修", "盼着把污水管网接到各家各户", "我觉得应该多搞文化活动",
    "建议两委班子多听群众意见，谢谢。", "红白事大操大办的风气要刹住", "移风易俗要坚持下去",
    "治安总体不错，希望路口多装监控", "邻里纠纷调解要更及时", "防范电信诈骗的宣传要多做",
    "村务财务要及时公开", "合作社带动增收的效果还不明显", "年轻人外出务工，本地缺少就业岗位",
    "文化广场缺少健身器材", "老人看病不方便，希望有个卫生室", "孩子上学路远，希望通校车",
    "你们辛苦了，大家都盼着呢。",
]

#: titles without a name, and words that look like names: nothing to mask either
TRAPS = [
    "村支书要带头干", "党支部书记要多听群众意见", "第一书记来了以后变化很大",
    "感谢书记和村委会的辛苦付出", "村委会主任办事公道", "妇女主任经常上门宣传政策",
    "老书记退休后没人接班", "新来的书记很年轻，有干劲", "希望书记多下来走走",
    "书记和主任要团结，别闹矛盾", "驻村工作队队长很负责", "网格员经常来排查隐患",
    "乡镇干部下村太少", "镇长来视察过一次就没再来", "不管书记怎么说，群众要看实效",
    "班主任反映孩子上学路远", "调解主任调解纠纷很及时", "公司经理答应的工资没兑现",
    "合作社社长带头致富", "村民组长不太管事", "党小组长要发挥作用", "我们书记人不错",
    "支部书记和村委会主任一肩挑", "大学生村官和第一书记都很认真", "给书记提了好几次意见",
    "向书记反映过垃圾问题", "连书记都不知道这件事", "请书记多关心困难户", "找主任办事很方便",
    "老师和医生都缺", "家庭医生签约没落实", "学校老师流失严重", "小组长和网格员要配合好",
    "驻村第一书记帮了大忙", "县长到村里调研过", "同志们的工作都很辛苦", "村两委班子团结",
    "书记高度重视人居环境", "主任马上就来处理了", "文明乡风建设要加强", "国庆节期间搞了文艺演出",
    "建国以来变化最大的就是这几年", "高峰时段路口太堵", "江山村的路修好了", "张庄村的垃圾没人管",
    "王寨村和李楼村要合并", "周末组织义务劳动", "马上要开展评星了", "常常停电，影响生产",
    "方便群众办事", "金星支部是我们学习的榜样", "石头路要硬化", "白天家里没人",
    "万一发生火灾怎么办", "江边的护栏坏了", "宋代古井要保护好", "黄金周来的游客多",
    "党员干部要带头", "村医务室要配齐药品", "优秀书记要多宣传", "表扬主任办事快",
    "尊敬的书记，希望修修路", "支委委员分工要明确", "把老党员的作用发挥出来",
    "期望书记多解决实际问题", "副书记分管的工作落实得好", "村会计要把账公开",
    "乡村医生待遇太低", "专职网格员不够用", "计生专干工作认真", "妇联主席来讲过课",
    "工会主席组织过活动", "大队长以前管得严", "生产队长那时候很有威信", "饭店老板占道经营",
    "修理师傅随叫随到", "保洁阿姨很辛苦", "留守奶奶没人照顾", "邻居大姐热心肠",
    "去年集体收入50万元", "2024年修了3公里路", "村里有1200口人", "希望每户补贴500元",
    "编号2023001的项目没完工", "0.5亩地流转费太低", "宣传委员负责广播", "纪检委员要监督",
    "林业站长来查过", "农机站长讲过政策", "卫生院医生态度好", "车间主任不让请假", "商店老板卖假货",
]

#: a surname or name before a title, or a roster name: the pieces to mask
NAMED = [
    ("希望王书记多来村里看看", ["王"]), ("李主任办事公道，大家都服气", ["李"]),
    ("张村长把路修好了", ["张"]), ("刘会计的账目要公开", ["刘"]), ("赵支书带头搞产业", ["赵"]),
    ("陈组长经常来问情况", ["陈"]), ("孙老师教孩子很用心", ["孙"]), ("黄医生随叫随到", ["黄"]),
    ("欧阳主任调走了很可惜", ["欧阳"]), ("王建国书记为村里办了很多实事", ["王建国"]),
    ("李秀英主任经常入户走访", ["李秀英"]), ("找郭书记反映过好几次", ["郭"]),
    ("向马书记提过建议", ["马"]), ("跟何主任说了也没用", ["何"]), ("感谢高书记的帮助", ["高"]),
    ("周大爷家门口的路坑坑洼洼", ["周"]), ("吴大姐是志愿者里最积极的", ["吴"]),
    ("杨师傅修路修得好", ["杨"]), ("徐会计和胡出纳要把账理清", ["徐", "胡"]),
    ("冯镇长答应的事还没办", ["冯"]), ("林老板的厂子吸纳了不少人就业", ["林"]),
    ("宋网格员很负责", ["宋"]), ("罗永强队长带领大家修渠", ["罗永强"]),
    ("郑委员分管环境卫生", ["郑"]), ("梁同志下乡扶贫很认真", ["梁"]),
    ("小李书记年轻有干劲", ["李"]), ("王书记和李主任配合得好", ["王", "李"]),
    ("希望韩书记继续留任", ["韩"]), ("曹主任答应给修桥", ["曹"]), ("彭村长不作为", ["彭"]),
    ("曾会计账目清楚", ["曾"]), ("田书记带着大家种大棚", ["田"]), ("董主任常来我们组", ["董"]),
    ("袁书记走了以后没人管了", ["袁"]), ("潘队长组织修路", ["潘"]), ("蒋医生医术好", ["蒋"]),
    ("蔡老师义务辅导孩子", ["蔡"]), ("杜书记对困难户很关心", ["杜"]), ("叶主任作风扎实", ["叶"]),
    ("程书记把集体经济搞起来了", ["程"]), ("苏会计天天加班", ["苏"]), ("魏支书说话算数", ["魏"]),
    ("吕组长调解纠纷很公道", ["吕"]), ("丁书记年纪大了", ["丁"]), ("沈主任很少来村里", ["沈"]),
    ("姚老板拖欠工钱", ["姚"]), ("卢书记带头捐款", ["卢"]), ("姜主任爱听群众意见", ["姜"]),
    ("崔村长办事拖拉", ["崔"]), ("钟书记给我们办了低保", ["钟"]), ("谭老师退休了还来上课", ["谭"]),
    ("陆书记和郭主任都不错", ["陆", "郭"]), ("汪书记要求我们搞好卫生", ["汪"]),
    ("范主任经常不在办公室", ["范"]), ("金书记带领村民致富", ["金"]), ("石主任修好了水井", ["石"]),
    ("廖书记很务实", ["廖"]), ("贾主任管得太宽", ["贾"]), ("夏书记以前是老师", ["夏"]),
    ("方书记的工作方法好", ["方"]), ("白主任处事公正", ["白"]), ("邹会计把补贴发下来了", ["邹"]),
    ("孟书记来了以后大变样", ["孟"]), ("熊主任做事雷厉风行", ["熊"]), ("秦书记很关心老人", ["秦"]),
    ("张志强书记带头修路", ["张志强"]), ("赵玉珍主任帮了我家大忙", ["赵玉珍"]),
    ("朱卫东村长把账公开了", ["朱卫东"]), ("胡晓燕委员工作细致", ["胡晓燕"]),
    ("郭文斌组长负责人居环境", ["郭文斌"]), ("何丽娟老师教得好", ["何丽娟"]),
    ("找刘德明反映过几次", ["刘德明"]), ("陈春梅家的房子漏雨", ["陈春梅"]),
    ("杨海涛说要建合作社", ["杨海涛"]), ("赵玉珍一直在照顾孤寡老人", ["赵玉珍"]),
    ("黄国庆和周丽华都提过意见", ["黄国庆", "周丽华"]), ("吴桂兰家门口的垃圾没人清", ["吴桂兰"]),
    ("孙建军的养殖场污染河道", ["孙建军"]), ("李娜说过好几次了", ["李娜"]),
    ("高志刚家的狗老咬人", ["高志刚"]), ("林小红是我们村的致富带头人", ["林小红"]),
    ("郑秀兰反映的问题一直没解决", ["郑秀兰"]), ("村支书王建国工作认真", ["王建国"]),
    ("马红梅建议多搞文化活动", ["马红梅"]),
]

#: written after the rules were settled and left as they came out (not tuned against)
HELD_OUT = [
    ("建议村里成立红白理事会", []), ("低保评定要公平公正", []), ("老年活动中心冬天太冷", []),
    ("厕所改造了但是没法用", []), ("希望多组织技能培训", []), ("土地流转的钱要按时给", []),
    ("自来水经常停", []), ("村干部选举要公开透明", []), ("垃圾桶太少，到处乱扔", []),
    ("广场舞的音响太吵", []), ("小学合并后孩子上学远", []), ("医保缴费太贵了", []),
    ("网格长每周都来一次", []), ("党群服务中心人太少", []), ("防汛物资要提前准备", []),
    ("驻村干部吃住在村里，很辛苦", []), ("文明户评选要公平", []), ("互助养老的办法好", []),
    ("牛书记经常在田间地头", ["牛"]), ("葛主任帮我们申请了补助", ["葛"]),
    ("邢村长把排水沟修好了", ["邢"]), ("齐会计做事认真", ["齐"]), ("乔老师办了留守儿童课堂", ["乔"]),
    ("庞书记调走后村里没人管", ["庞"]), ("颜主任态度很好", ["颜"]), ("倪书记讲话实在", ["倪"]),
    ("聂组长每天巡河", ["聂"]), ("岳书记和翟主任都是好干部", ["岳", "翟"]),
    ("申书记把合作社办起来了", ["申"]), ("请关书记来看看我们组的路", ["关"]),
    ("找宁主任盖个章都难", ["宁"]), ("包书记驻村三年了", ["包"]), ("党书记带头干", ["党"]),
    ("常书记对大家很好", ["常"]), ("于主任经常下乡", ["于"]), ("向书记反映了，书记说会解决", []),
]

#: names the rules cannot know: a title before a name outside the roster, nicknames,
#: people outside the roster without a title
MISSED = [
    ("书记刘伟很负责", ["刘伟"]), ("老王把村里的事当自家事", ["王"]),
    ("张伟家的狗老咬人", ["张伟"]), ("听说刘洋要回来当村官", ["刘洋"]),
    ("主任李军办事拖拉", ["李军"]), ("小张很热心", ["张"]),
]

#: phone and ID numbers (and one roster name beside a phone)
NUMBERS = [
    ("有事打我电话13812345678", ["13812345678"]), ("联系电话0371-65432100", ["0371-65432100"]),
    ("我的身份证号410102199001011234", ["410102199001011234"]),
    ("手机138 1234 5678，欢迎来问", ["138 1234 5678"]), ("电话１３８１２３４５６７８", ["１３８１２３４５６７８"]),
    ("+86 139-1234-5678 有事找我", ["+86 139-1234-5678"]),
    ("我叫马红梅，电话13912345678", ["马红梅", "13912345678"]),
    ("垃圾站的电话是0371 6543210", ["0371 6543210"]),
    ("身份证41010219851231123X丢了", ["41010219851231123X"]),
    ("王书记的手机15800001111", ["王", "15800001111"]),
]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    masked_chars: int
    identifying_chars: int
    answers_altered_wrongly: int  # nothing identifying, yet something was masked
    answers_leaking: int  # something identifying remains
    n_answers: int


def corpus() -> list[tuple[str, list[str]]]:
    """Every labelled answer: (answer, identifying pieces)."""
    return ([(a, []) for a in PLAIN + TRAPS] + list(NAMED) + list(HELD_OUT) + list(MISSED)
            + list(NUMBERS))


def _gold_chars(text: str, pieces: list[str]) -> set[int]:
    """Positions of the identifying pieces: each piece where it first occurs after the
    previous one (a surname 方 in 方书记 is not the 方 of 方法)."""
    chars: set[int] = set()
    at = 0
    for piece in pieces:
        start = text.find(piece, at)
        if start < 0:
            start = text.find(piece)
        assert start >= 0, (text, piece)
        chars.update(range(start, start + len(piece)))
        at = start + len(piece)
    return chars


def measure(spans_of: Callable[[str], list[tuple[int, int]]],
            answers: list[tuple[str, list[str]]] | None = None) -> Scores:
    """Score a masker given as ``spans_of(text) -> [(start, end), …]`` of what it masks."""
    answers = corpus() if answers is None else answers
    tp = masked = gold_total = wrong = leaking = 0
    for text, pieces in answers:
        gold = _gold_chars(text, pieces)
        pred: set[int] = set()
        for a, b in spans_of(text):
            pred.update(range(a, b))
        tp += len(gold & pred)
        masked += len(pred)
        gold_total += len(gold)
        wrong += bool(pred) and not gold
        leaking += bool(gold - pred)
    return Scores(precision=tp / masked if masked else 1.0,
                  recall=tp / gold_total if gold_total else 1.0, masked_chars=masked,
                  identifying_chars=gold_total, answers_altered_wrongly=wrong,
                  answers_leaking=leaking, n_answers=len(answers))
