"""Generated items for the sample report columns: annual reports of every era and their neighbours.

Real columns hold years of reports in three shapes (free-form before 2019, the 2019 statutory template,
the 2021 template of 国办公开办函〔2021〕30号) next to 解读, 工作要点, 指南 and notices. The seeds alone
cannot exercise list paging, year coverage or the classifier, so the rest is written here from sentence
pools and seeded random numbers: every item gets its own Random seeded by bureau, year and role, so the
output never depends on build order or the clock. Statistics tables add up the way the templates demand,
except in two reports spoiled on purpose (real reports get this wrong too, and checks must notice).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from sample_portals.bureaus import BY_ID
from sample_portals.model import Block, Cell, Item

# --- who speaks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    me: str  # 我厅 / 我局
    div: str  # 处室 / 科室 / 股室
    units: str  # 厅属单位 / 局属各单位
    leader: str  # 省委、省政府 / 市委、市政府 / 县委、县政府
    wechat: str
    office: str  # 办公室 name
    credit: str  # 统一社会信用代码, the prefix of Hanweb 索引号
    doc_prefix: str  # 文号 prefix
    topics: tuple[str, ...]  # what applicants ask about


VOICES: dict[str, Voice] = {
    "henan-jtt": Voice("我厅", "处室", "厅属单位", "省委、省政府", "河南交通", "厅办公室",
                       "11410000005184105N", "豫交文", ("高速公路建设征地补偿", "道路运输经营许可", "超限运输处罚", "公路建设资金")),
    "hunan-jtt": Voice("我厅", "处室", "厅直单位", "省委、省政府", "湖南交通", "厅办公室",
                       "114300000061700215", "湘交办", ("高速公路收费", "农村公路建设", "水运工程建设", "网约车管理")),
    "yiyang-jtj": Voice("我局", "科室", "局属各单位", "市委、市政府", "益阳交通", "局办公室",
                        "11430900006962153T", "益交发", ("出租汽车经营权", "农村公路提质改造", "道路运输从业资格", "渡口安全管理")),
    "lushan-jtj": Voice("我局", "股室", "局属二级单位", "市委、市政府", "庐山交通", "局办公室",
                        "11360483015613487A", "庐交字", ("农村公路建设资金", "客运班线调整", "交通事故车辆扣押", "道路运输许可")),
    "fuyang-jtj": Voice("我局", "科室", "局属各单位", "市委、市政府", "阜阳市交通运输局", "局办公室",
                        "113412000032184357", "阜交", ("公路建设项目征地", "公交线路调整", "网约车经营许可", "超限超载治理")),
    "liaoyuan-jtj": Voice("我局", "科室", "局属各单位", "市委、市政府", "辽源交通", "局办公室",
                          "11220400013561208K", "辽交", ("农村公路养护", "出租汽车管理", "道路运输证件办理", "公交票价")),
    "linquan-jtj": Voice("我局", "股室", "局属各单位", "县委、县政府", "临泉交通", "局办公室",
                         "11341221003198206M", "临交", ("乡村道路建设", "农村客运班线", "道路运输经营许可", "危桥改造")),
    "jingzhou-jtj": Voice("我局", "科室", "局属各单位", "市委、市政府", "荆州交通", "局办公室",
                          "11421000011135896X", "荆交文", ("农村公路建设", "港口岸线管理", "出租汽车经营权", "公交线路优化")),
    "huzhou-jtj": Voice("我局", "处室", "局属各单位", "市委、市政府", "湖州交通", "局办公室",
                        "113305000026047212", "湖交", ("内河航道整治", "城乡公交一体化", "网约车经营许可", "公路养护工程")),
    "lichuan-jtj": Voice("我局", "股室", "局属各单位", "县委、县政府", "黎川交通", "局办公室",
                         "11361022014526917B", "黎交字", ("农村公路建设", "乡镇客运站", "道路运输许可", "渡口渡船管理")),
}  # fmt: skip

# Report-year themes the 总体情况 sentence leans on.
THEMES = {
    2019: "交通强国建设",
    2020: "统筹疫情防控和交通运输保障",
    2021: "“十四五”开局起步",
    2022: "稳住交通运输经济大盘",
    2023: "交通运输高质量发展",
    2024: "加快建设交通强国",
    2025: "“十四五”规划收官",
}

# Lines of the plan: (bureau, report year, title pattern, published late?).
# Title patterns: A …2020年…年度报告, B …2020年度…年度报告, C 二〇二〇年, D 关于…, E 2020年…(org after year),
# F …年报, G …年度政府信息公开工作报告, H year first with the org in brackets.
PLAN: list[tuple[str, int, str, bool]] = [
    ("henan-jtt", 2008, "C", True), ("henan-jtt", 2012, "D", False), ("henan-jtt", 2015, "A", False),
    ("henan-jtt", 2019, "B", False), ("henan-jtt", 2021, "A", False), ("henan-jtt", 2023, "A", False),
    ("hunan-jtt", 2009, "F", True), ("hunan-jtt", 2013, "A", False), ("hunan-jtt", 2016, "C", False),
    ("hunan-jtt", 2020, "A", False), ("hunan-jtt", 2022, "B", False), ("hunan-jtt", 2024, "A", False),
    ("yiyang-jtj", 2010, "G", False), ("yiyang-jtj", 2014, "A", True), ("yiyang-jtj", 2019, "A", False),
    ("yiyang-jtj", 2021, "B", False), ("yiyang-jtj", 2025, "A", False),
    ("lushan-jtj", 2011, "A", False), ("lushan-jtj", 2017, "E", False), ("lushan-jtj", 2019, "A", False),
    ("lushan-jtj", 2022, "A", False), ("lushan-jtj", 2024, "B", False),
    ("fuyang-jtj", 2008, "A", False), ("fuyang-jtj", 2013, "D", False), ("fuyang-jtj", 2020, "B", False),
    ("fuyang-jtj", 2021, "H", False), ("fuyang-jtj", 2023, "A", False), ("fuyang-jtj", 2025, "B", False),
    ("liaoyuan-jtj", 2012, "A", False), ("liaoyuan-jtj", 2016, "C", False), ("liaoyuan-jtj", 2019, "A", False),
    ("liaoyuan-jtj", 2021, "A", True), ("liaoyuan-jtj", 2022, "E", False), ("liaoyuan-jtj", 2024, "B", False),
    ("linquan-jtj", 2010, "A", False), ("linquan-jtj", 2015, "G", False), ("linquan-jtj", 2018, "A", False),
    ("linquan-jtj", 2020, "A", False), ("linquan-jtj", 2022, "B", False), ("linquan-jtj", 2023, "A", True),
    ("linquan-jtj", 2025, "A", False),
]  # fmt: skip

# The two reports whose section 三 table is wrong on purpose, and how.
SPOILED = {("hunan-jtt", 2022): "total_column", ("linquan-jtj", 2020): "carry_over"}

# Interpretations: (bureau, report year, title pattern). The seed report of 庐山 2020 has one too.
INTERPRETATIONS: list[tuple[str, int, str]] = [
    ("henan-jtt", 2023, "图解：{report}"),
    ("hunan-jtt", 2020, "一图读懂{org}{year}年政府信息公开工作年度报告"),
    ("hunan-jtt", 2024, "《{report}》解读"),
    ("yiyang-jtj", 2021, "图解：{report}"),
    ("lushan-jtj", 2020, "《{report}》解读"),
    ("fuyang-jtj", 2021, "一图读懂{org}{year}年度政府信息公开工作年度报告"),
    ("fuyang-jtj", 2025, "图解：{report}"),
    ("liaoyuan-jtj", 2019, "{org}{year}年政府信息公开工作年度报告解读"),
    ("liaoyuan-jtj", 2024, "图解：{report}"),
    ("linquan-jtj", 2022, "图解{org}{year}年度政府信息公开工作年度报告"),
]

# Work plans: (bureau, plan year, title pattern).
WORK_PLANS: list[tuple[str, int, str]] = [
    ("henan-jtt", 2022, "河南省交通运输厅{year}年政务公开工作要点"),
    ("hunan-jtt", 2021, "关于印发《湖南省交通运输厅{year}年政务公开工作要点》的通知"),
    ("yiyang-jtj", 2020, "{year}年益阳市交通运输局政务公开工作要点"),
    ("lushan-jtj", 2023, "庐山市交通运输局{year}年政务公开工作要点"),
    ("fuyang-jtj", 2024, "阜阳市交通运输局{year}年政务公开工作要点"),
    ("liaoyuan-jtj", 2020, "辽源市交通运输局{year}年政务公开工作实施方案"),
    ("linquan-jtj", 2021, "临泉县交通运输局{year}年政务公开工作要点"),
]

# Notices: (bureau, year the title speaks of or None, title, published).
NOTICES: list[tuple[str, int | None, str, str]] = [
    (
        "henan-jtt",
        2023,
        "关于做好2023年政府信息公开工作年度报告编制和发布工作的通知",
        "2023-12-06 16:20",
    ),
    (
        "hunan-jtt",
        None,
        "关于调整湖南省交通运输厅政务公开工作领导小组成员的通知",
        "2021-05-12 10:02",
    ),
    (
        "yiyang-jtj",
        2021,
        "关于报送2021年度政府信息公开工作年度报告有关数据的通知",
        "2021-12-10 09:15",
    ),
    ("lushan-jtj", 2022, "关于开展2022年度政务公开工作自查的通知", "2022-11-21 15:40"),
    (
        "fuyang-jtj",
        2022,
        "关于做好2022年政府信息公开工作年度报告编制和发布工作的通知",
        "2022-12-08 11:30",
    ),
    ("liaoyuan-jtj", None, "关于进一步规范政府信息公开申请办理工作的通知", "2023-04-17 14:05"),
    (
        "linquan-jtj",
        2024,
        "关于做好2024年度政府信息公开工作年度报告编制工作的通知",
        "2024-12-03 08:50",
    ),
]

GUIDE_PUBLISHED = {
    "henan-jtt": "2019-06-28 09:30", "hunan-jtt": "2020-03-16 10:10", "yiyang-jtj": "2019-09-02 15:00",
    "lushan-jtj": "2021-04-12 08:45", "fuyang-jtj": "2019-11-20 16:30", "liaoyuan-jtj": "2020-07-08 09:20",
    "linquan-jtj": "2022-02-14 10:40", "jingzhou-jtj": "2020-05-18 09:40", "huzhou-jtj": "2021-03-09 14:20",
    "lichuan-jtj": "2009-04-21 10:05",
}  # fmt: skip

# --- small helpers ------------------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"


def cn_year(year: int) -> str:
    """Some bureaus write the year in Chinese numerals: 2016 -> 二〇一六."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year))


def rng_for(*parts: object) -> random.Random:
    """A generator per item: str seeds are hashed with SHA-512, so results never depend on PYTHONHASHSEED."""
    return random.Random("nianbao:" + ":".join(str(p) for p in parts))


def stamp(day: dt.date, rng: random.Random) -> str:
    """Office-hours publication time as portals show it."""
    return f"{day.isoformat()} {rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17]):02d}:{rng.randrange(60):02d}"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def level_of(bureau_id: str) -> str:
    return BY_ID[bureau_id].level


def scale(bureau_id: str) -> int:
    """Provincial departments handle more of everything than county bureaus."""
    return {"province": 6, "city": 3, "county": 1}[level_of(bureau_id)]


def template_of(year: int) -> str:
    if year <= 2018:
        return "legacy"
    return "2019" if year <= 2020 else "2021"


def report_title(bureau_id: str, year: int, pattern: str) -> str:
    org = BY_ID[bureau_id].name
    return {
        "A": f"{org}{year}年政府信息公开工作年度报告",
        "B": f"{org}{year}年度政府信息公开工作年度报告",
        "C": f"{org}{cn_year(year)}年政府信息公开工作年度报告",
        "D": f"关于{org}{year}年政府信息公开工作年度报告",
        "E": f"{year}年{org}政府信息公开工作年度报告",
        "F": f"{org}{year}年政府信息公开年报",
        "G": f"{org}{year}年度政府信息公开工作报告",
        "H": f"{year}年度政府信息公开工作年度报告（{org}）",
    }[pattern]


def sentences(blocks: list[Block]) -> list[str]:
    """Whole sentences of the prose blocks, each ending with its 。 so it is a substring of the text."""
    out: list[str] = []
    for b in blocks:
        if b.kind != "p":
            continue
        for piece in b.text.split("。"):
            piece = piece.strip()
            if len(piece) >= 14:
                out.append(piece + "。" if piece + "。" in b.text else piece)
    return out


def pick_must_survive(blocks: list[Block], rng: random.Random, n: int = 5) -> list[str]:
    """Distinctive sentences: those carrying figures first, then others, in body order."""
    pool = sentences(blocks)
    # A figure anywhere: "全年新收政府信息公开申请40件，…".
    with_digits = [s for s in pool if re.search(r"\d", s)]
    others = [s for s in pool if s not in with_digits]
    chosen = rng.sample(with_digits, min(len(with_digits), n - 1))
    chosen += rng.sample(others, min(len(others), n - len(chosen)))
    return sorted(chosen, key=pool.index)


# --- sentence pools ---------------------------------------------------------------------------------

OPENINGS_NEW = [
    "{Y}年，{me}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求，紧扣{theme}，不断加大政府信息公开力度。",
    "{Y}年，在{leader}的正确领导下，{me}把政务公开作为建设人民满意交通的重要抓手，围绕{theme}以公开促落实、促规范、促服务，全年政府信息公开工作平稳有序。",
    "{Y}年，{me}对照年度政务公开工作要点，逐项分解任务、明确责任{div}，围绕{theme}推进决策、执行、管理、服务、结果公开，公开质量稳步提升。",
    "{Y}年，{me}紧扣{theme}这一主线，健全政府信息公开工作机制，严格落实公开属性源头认定，主动公开、依申请公开和政策解读回应等工作有序开展。",
]
# The opening paragraph ends by naming the bureau and year, as real reports do.
CLOSINGS_NEW = [
    "现将{org}{Y}年度政府信息公开工作情况报告如下。",
    "现就{org}{Y}年政府信息公开工作有关情况报告如下：",
    "{org}{Y}年度政府信息公开工作具体情况如下。",
]
ACTIVE_NEW = [
    "（一）主动公开。全年通过门户网站主动公开政府信息{N}条，其中政策文件{a}条、工作动态{b}条、通知公告{c}条、人事信息{d}条；通过“{wechat}”微信公众号发布信息{w}条。",
    "（一）主动公开。{me}严格落实公开属性源头认定机制，全年在门户网站发布各类信息{N}条，更新{div}职责、权责清单等基础信息{e}项，发布政策解读{p}篇，其中图解、视频等多元化解读{q}篇。",
    "（一）主动公开。围绕重点领域信息公开要求，全年主动公开政府信息{N}条，其中重大建设项目信息{a}条、财政预决算信息{c}条、“双随机、一公开”抽查结果{d}条。",
]
REQUEST_NEW = [
    "（二）依申请公开。全年新收政府信息公开申请{A}件，上年结转{B}件，均在法定期限内答复，答复率100%。申请内容主要集中在{topic1}、{topic2}等方面。",
    "（二）依申请公开。{me}进一步规范依申请公开受理、审查、答复流程，全年共受理政府信息公开申请{A}件，结转上年度申请{B}件，未发生逾期答复情况。",
    "（二）依申请公开。全年收到政府信息公开申请{A}件，较上年{trend}；申请人以自然人为主，关注点集中在{topic1}方面。",
]
MANAGE_NEW = [
    "（三）政府信息管理。严格执行公文公开属性源头认定制度，拟制公文时同步明确公开方式，全年清理规范性文件{r}件，继续有效{s}件，废止{t}件。",
    "（三）政府信息管理。建立健全信息发布保密审查机制，坚持“先审查、后公开”和“一事一审”原则，全年审核拟公开信息{N}条，未发生泄密事件。",
    "（三）政府信息管理。按照政府信息公开目录动态调整要求，全年新增公开事项{e}项，对已公开信息中的个人隐私内容进行排查整改{r}处。",
]
PLATFORM_NEW = [
    "（四）政府信息公开平台建设。持续优化门户网站政府信息公开专栏，按照基层政务公开标准目录对栏目进行梳理调整，确保各栏目内容准确、更新及时。“{wechat}”微信公众号全年发布信息{w}条。",
    "（四）政府信息公开平台建设。门户网站全年访问量{visits}万人次，政务新媒体与门户网站同步发布重要信息，12328交通运输服务监督热线受理咨询{hot}件。",
    "（四）政府信息公开平台建设。{me}完成门户网站适老化和无障碍改造，政府信息公开专栏新增“政策文件库”栏目，方便公众一站式查询。",
]
OVERSIGHT_NEW = [
    "（五）监督保障。{me}将政务公开工作纳入年度绩效考核，明确分管领导负责、{office}具体承办，配备专职人员{k}名、兼职人员{m}名，全年组织政务公开业务培训{tr}次。",
    "（五）监督保障。调整充实了政务公开工作领导小组，全年召开专题会议{tr}次研究部署政务公开工作，本年度未发生因政府信息公开工作引发的责任追究情况。",
    "（五）监督保障。主动接受社会评议，在门户网站设置意见建议栏目，全年收到公众对政务公开工作的意见建议{k}条，均已研究办理并反馈。",
]
PROBLEMS = [
    "一是公开内容的深度和广度仍需拓展，部分{div}对政策解读工作重视不够，解读形式较为单一；二是基层政务公开标准化规范化建设推进不平衡。",
    "一是部分栏目信息更新不够及时；二是政务公开工作人员多为兼职，业务能力有待进一步提升。",
    "政策解读的针对性和可读性还不够强，图解、视频等群众喜闻乐见的解读形式运用不多。",
    "依申请公开答复文书的规范性有待加强，个别答复说理不够充分。",
    "政务新媒体互动功能发挥不充分，对公众关切的回应还不够及时。",
]
MEASURES = [
    "{Y1}年，{me}将进一步完善政务公开工作制度，加强对{div}和{units}的业务指导，定期开展栏目内容自查，确保信息发布及时准确。",
    "下一步，{me}将围绕群众关注的{topic1}等事项加大公开力度，丰富解读形式，提高解读质量，并通过集中培训、以会代训等方式提升工作人员业务水平。",
    "针对上述问题，{me}将落实专人负责门户网站内容保障，建立信息报送通报制度，每季度通报各{div}信息报送情况。",
]
OTHER_NEW = [
    "{Y}年，{me}未收取信息处理费。全年共承办人大代表建议{x}件、政协提案{y}件，均已按期办结并公开答复全文。",
    "根据《政府信息公开信息处理费管理办法》，{Y}年{me}未向申请人收取信息处理费。{me}无其他需要报告的事项。",
    "{Y}年，{me}未发出收费通知，未收取信息处理费。",
]
OTHER_2019 = ["无。", "本机关无其他需要报告的事项。", "{Y}年，{me}无其他需要报告的事项。"]

LEGACY_OVERVIEW = [
    "{Y}年，{me}认真贯彻落实《中华人民共和国政府信息公开条例》，按照{leader}关于政府信息公开工作的统一部署，进一步健全工作机制，规范公开程序，政府信息公开工作稳步推进。",
    "{Y}年，{me}以服务群众、方便办事为出发点，把政府信息公开与交通运输中心工作同部署、同落实，公开内容不断丰富，公开形式日益多样。",
    "{Y}年，{me}坚持“以公开为原则、不公开为例外”，对照政府信息公开目录逐项梳理{Y0}年以来制发的文件，逐件确定公开属性。",
]
LEGACY_ORG = [
    "{me}成立了由主要负责同志任组长的政府信息公开工作领导小组，领导小组办公室设在{office}，负责日常工作，各{div}明确一名信息员。",
    "{me}调整了政府信息公开工作领导小组，明确分管领导具体负责，{office}为政府信息公开工作机构，形成了主要领导亲自抓、分管领导具体抓的工作格局。",
]
LEGACY_FIRST_YEAR = (
    "{Y}年是《条例》正式施行的第一年。{me}在年初即印发了政府信息公开工作实施方案，编制了政府信息公开指南和目录，"
    "并在门户网站开设政府信息公开专栏。"
)
LEGACY_CHANNELS = [
    "公开形式以门户网站为主，同时通过政务公开栏、新闻发布会和报刊等方式公开，方便公众查阅。",
    "除门户网站外，{me}还在办事大厅设立政府信息公开查阅点，配备查阅设备，免费提供信息查阅服务。",
    "{me}通过门户网站、“{wechat}”政务微博和政务服务大厅电子显示屏同步发布公开信息。",
]
LEGACY_FEES = [
    "{Y}年，{me}在政府信息公开工作中未收取任何费用，也未发生减免情况。",
    "本年度{me}未收取检索、复制、邮寄等政府信息公开相关费用。",
]
LEGACY_MEASURES = [
    "一是进一步完善政府信息公开目录，及时更新公开内容；二是加强工作人员培训，提高依申请公开答复质量；三是加大对{units}政府信息公开工作的督促检查。",
    "{Y1}年，{me}将以门户网站改版为契机，优化政府信息公开专栏设置，扩大公开范围，并健全信息发布保密审查制度。",
    "针对存在的问题，{me}将健全信息报送考核机制，把政府信息公开工作纳入{div}年度目标考核，确保各项工作落到实处。",
]
LEGACY_PROBLEMS = [
    "{me}政府信息公开工作虽然取得了一定成效，但仍存在公开内容不够全面、更新不够及时、工作人员业务水平有待提高等问题。",
    "主要问题是政府信息公开工作机制还不够健全，个别{div}对政府信息公开工作认识不足，主动公开的积极性有待提高。",
    "一些涉及群众切身利益的信息公开还不够深入，公开的及时性有待加强。",
]

# --- statutory tables ------------------------------------------------------------------------------------

APPLICANT_HEAD = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
NOT_OPEN = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
            "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]  # fmt: skip
CANNOT = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
NOT_HANDLED_2019 = ["1.信访投诉举报类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息"]  # fmt: skip
NOT_HANDLED_2021 = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息"]  # fmt: skip
OTHER_2021 = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]
PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


# Leaf result rows: (group label or None, item label). Weights say how often requests end there.
def _leaves(template: str) -> list[tuple[str | None, str, int]]:
    leaves: list[tuple[str | None, str, int]] = [(None, "（一）予以公开", 50), (None, PARTIAL, 8)]
    leaves += [
        ("（三）不予公开", x, w) for x, w in zip(NOT_OPEN, [1, 1, 1, 2, 2, 3, 1, 1], strict=True)
    ]
    leaves += [("（四）无法提供", x, w) for x, w in zip(CANNOT, [14, 3, 2], strict=True)]
    handled = NOT_HANDLED_2019 if template == "2019" else NOT_HANDLED_2021
    leaves += [("（五）不予处理", x, w) for x, w in zip(handled, [3, 2, 1, 1, 1], strict=True)]
    if template == "2019":
        leaves.append((None, "（六）其他处理", 2))
    else:
        leaves += [("（六）其他处理", x, w) for x, w in zip(OTHER_2021, [2, 1, 1], strict=True)]
    return leaves


@dataclass
class RequestStats:
    """Section 三 figures per applicant column (six columns; the 总计 column is derived)."""

    new: list[int]
    carried: list[int]
    results: list[list[int]]  # one list of six per leaf row
    next_year: list[int]


def gen_requests(rng: random.Random, bureau_id: str, template: str) -> RequestStats:
    """Draw applications per column and send each to a result row, so every identity of the template holds."""
    s = scale(bureau_id)
    weights = [3 * s + 4, s + 1, 1, 1, max(1, s // 2), 1]
    new = [
        rng.randrange(w) if i else rng.randrange(2 * s, 9 * s + 4) for i, w in enumerate(weights)
    ]
    carried = [rng.choice([0, 0, 0, 1]) if i in (0, 1) else 0 for i in range(6)]
    next_year = [
        min(new[i] + carried[i], rng.choice([0, 0, 0, 1, 2])) if i in (0, 1) else 0
        for i in range(6)
    ]
    leaves = _leaves(template)
    results = [[0] * 6 for _ in leaves]
    for col in range(6):
        for _ in range(new[col] + carried[col] - next_year[col]):
            row = rng.choices(range(len(leaves)), weights=[w for _, _, w in leaves])[0]
            results[row][col] += 1
    return RequestStats(new, carried, results, next_year)


def _row7(values: list[int]) -> list[Cell]:
    return [str(v) for v in values] + [str(sum(values))]


def table_requests(template: str, st: RequestStats, spoil: str | None) -> Block:
    """Section 三 as the template lays it out: label columns spanning, seven applicant columns."""
    head = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"
    rows: list[list[Cell]] = [
        [(head, 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        list(APPLICANT_HEAD),
    ]
    new_row = _row7(st.new)
    if spoil == "total_column":  # the 总计 column of 本年新收 disagrees with its row
        new_row[-1] = str(int(new_row[-1]) + 1)
    rows.append([("一、本年新收政府信息公开申请数量", 1, 3), *new_row])
    rows.append([("二、上年结转政府信息公开申请数量", 1, 3), *_row7(st.carried)])
    leaves = _leaves(template)
    n_result_rows = len(leaves) + 1
    seen_groups: set[str] = set()
    for i, ((group, label, _), values) in enumerate(zip(leaves, st.results, strict=True)):
        cells: list[Cell] = []
        if i == 0:
            cells.append(("三、本年度办理结果", n_result_rows, 1))
        if group is None:
            cells.append((label, 1, 2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                cells.append((group, sum(1 for g, _, _ in leaves if g == group), 1))
            cells.append(label)
        rows.append(cells + _row7(values))
    totals = [sum(r[c] for r in st.results) for c in range(6)]
    next_year = list(st.next_year)
    if spoil == "carry_over":  # one request carried over but still counted as handled
        next_year[0] += 1
    rows.append([("（七）总计", 1, 2), *_row7(totals)])
    rows.append([("四、结转下年度继续办理", 1, 3), *_row7(next_year)])
    return Block("table", rows=rows)


def table_appeals(rng: random.Random, bureau_id: str) -> tuple[Block, int, int]:
    """Section 四: most bureaus see no review or suit in a year; provinces sometimes do."""
    review = [0, 0, 0, 0]
    suits = [0, 0, 0, 0]
    if rng.random() < 0.15 * scale(bureau_id):
        review[rng.choice([0, 0, 0, 1, 3])] += 1
    if level_of(bureau_id) == "province" and rng.random() < 0.4:
        suits[0] += 1
    values = review + [sum(review)] + suits + [sum(suits)] + [0, 0, 0, 0, 0]
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows: list[list[Cell]] = [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [(x, 2, 1) for x in labels] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        labels * 2,
        [str(v) for v in values],
    ]
    return Block("table", rows=rows), sum(review), sum(suits)


def table_active(rng: random.Random, bureau_id: str, template: str) -> tuple[Block, dict]:
    """Section 二: what the bureau made, licensed, punished and charged, in the template's columns."""
    s = scale(bureau_id)
    prov = level_of(bureau_id) == "province"
    rules = [rng.randrange(0, 3), rng.randrange(0, 2), rng.randrange(8, 30)] if prov else [0, 0, 0]
    norms = [rng.randrange(0, 2 + s), rng.randrange(0, 2), rng.randrange(3, 6 + 4 * s)]
    permits = rng.randrange(200 * s, 900 * s)
    punish = rng.randrange(40 * s, 300 * s)
    force = rng.randrange(0, 12 * s)
    facts = {"permits": permits, "punish": punish, "norms": norms[0]}
    rows: list[list[Cell]] = []
    if template == "2019":
        buy = rng.randrange(1, 4 + 2 * s)
        rows += [
            [("第二十条第（一）项", 1, 4)],
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            ["规章", str(rules[0]), str(rules[0]), str(rules[2])],
            ["规范性文件", str(norms[0]), str(norms[0]), str(norms[2])],
            [("第二十条第（五）项", 1, 4)],
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [
                "行政许可",
                str(rng.randrange(20, 40 + 10 * s)),
                str(rng.randrange(-3, 4)),
                str(permits),
            ],
            ["其他对外管理服务事项", str(rng.randrange(0, 12)), "0", str(rng.randrange(0, 40))],
            [("第二十条第（六）项", 1, 4)],
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            ["行政处罚", str(rng.randrange(60, 200)), str(rng.randrange(-5, 6)), str(punish)],
            ["行政强制", str(rng.randrange(3, 15)), "0", str(force)],
            [("第二十条第（八）项", 1, 4)],
            ["信息内容", "上一年项目数量", ("本年增/减", 1, 2)],
            ["行政事业性收费", str(rng.randrange(0, 3)), ("0", 1, 2)],
            [("第二十条第（九）项", 1, 4)],
            ["信息内容", "采购项目数量", ("采购总金额", 1, 2)],
            [
                "政府集中采购",
                str(buy),
                (f"{rng.randrange(20 * s, 300 * s) + rng.randrange(100) / 100:.2f}万元", 1, 2),
            ],
        ]
    else:
        rows += [
            [("第二十条第（一）项", 1, 4)],
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", str(rules[0]), str(rules[1]), str(rules[2])],
            ["行政规范性文件", str(norms[0]), str(norms[1]), str(norms[2])],
            [("第二十条第（五）项", 1, 4)],
            ["信息内容", ("本年处理决定数量", 1, 3)],
            ["行政许可", (str(permits), 1, 3)],
            [("第二十条第（六）项", 1, 4)],
            ["信息内容", ("本年处理决定数量", 1, 3)],
            ["行政处罚", (str(punish), 1, 3)],
            ["行政强制", (str(force), 1, 3)],
            [("第二十条第（八）项", 1, 4)],
            ["信息内容", ("本年收费金额（单位：万元）", 1, 3)],
            [
                "行政事业性收费",
                ("0" if not prov else f"{rng.randrange(0, 50)}.{rng.randrange(10)}", 1, 3),
            ],
        ]
    return Block("table", rows=rows), facts


# --- report bodies ------------------------------------------------------------------------------------


def _fmt(text: str, ctx: dict) -> str:
    return text.format(**ctx)


def _context(rng: random.Random, bureau_id: str, year: int) -> dict:
    v = VOICES[bureau_id]
    s = scale(bureau_id)
    a, b, c, d = (rng.randrange(5 * s, 40 * s) for _ in range(4))
    topics = rng.sample(v.topics, 2)
    return {
        "Y": year, "Y1": year + 1, "Y0": max(2008, year - rng.randrange(2, 6)), "me": v.me, "div": v.div,
        "units": v.units, "leader": v.leader, "wechat": v.wechat, "office": v.office,
        "theme": THEMES.get(year, ""), "topic1": topics[0], "topic2": topics[1],
        "a": a, "b": b, "c": c, "d": d, "N": a + b + c + d + rng.randrange(10 * s, 60 * s),
        "w": rng.randrange(60 * s, 400 * s), "e": rng.randrange(5, 30 * s), "p": rng.randrange(3, 8 * s),
        "q": rng.randrange(1, 3 + s), "r": rng.randrange(2, 10 * s), "s": rng.randrange(2, 12 * s),
        "t": rng.randrange(0, 4 * s), "visits": rng.randrange(5 * s, 60 * s), "hot": rng.randrange(200 * s, 2000 * s),
        "k": rng.randrange(1, 3 + s // 2), "m": rng.randrange(2, 6 + s), "tr": rng.randrange(2, 6),
        "x": rng.randrange(0, 4 * s), "y": rng.randrange(0, 4 * s),
        "trend": rng.choice(["有所增加", "略有下降", "基本持平"]),
    }  # fmt: skip


def body_template(bureau_id: str, year: int, spoil: str | None) -> tuple[list[Block], dict]:
    """The statutory six sections; prose drawn per bureau and year, tables consistent unless spoiled."""
    rng = rng_for(bureau_id, year, "report")
    template = template_of(year)
    ctx = _context(rng, bureau_id, year)
    st = gen_requests(rng, bureau_id, template)
    ctx["A"] = sum(st.new)
    ctx["B"] = sum(st.carried)
    active, facts = table_active(rng, bureau_id, template)
    appeals, reviews, suits = table_appeals(rng, bureau_id)
    closing = rng.choice(CLOSINGS_NEW).format(org=BY_ID[bureau_id].name, Y=year)
    blocks = [
        Block("h", "一、总体情况"),
        Block("p", _fmt(rng.choice(OPENINGS_NEW), ctx) + closing),
        Block("p", _fmt(rng.choice(ACTIVE_NEW), ctx)),
        Block("p", _fmt(rng.choice(REQUEST_NEW), ctx)),
        Block("p", _fmt(rng.choice(MANAGE_NEW), ctx)),
        Block("p", _fmt(rng.choice(PLATFORM_NEW), ctx)),
        Block("p", _fmt(rng.choice(OVERSIGHT_NEW), ctx)),
        Block("h", "二、主动公开政府信息情况"),
        active,
        Block("h", "三、收到和处理政府信息公开申请情况"),
        table_requests(template, st, spoil),
        Block("h", "四、政府信息公开行政复议、行政诉讼情况"),
        appeals,
        Block("h", "五、存在的主要问题及改进情况"),
    ]
    problems = rng.sample(PROBLEMS, 2)
    if template == "2021":
        blocks.append(
            Block(
                "p",
                "（一）上年度问题整改情况。"
                + _fmt(
                    f"针对上年度报告中指出的“{problems[0].rstrip('。').split('；')[0].removeprefix('一是')}”问题，"
                    "{me}已通过完善制度、加强培训和定期自查完成整改。",
                    ctx,
                ),
            )
        )
        blocks.append(Block("p", "（二）存在的主要问题。" + _fmt(problems[1], ctx)))
        blocks.append(Block("p", "（三）改进措施。" + _fmt(rng.choice(MEASURES), ctx)))
    else:
        blocks.append(Block("p", _fmt(problems[1], ctx)))
        blocks.append(Block("p", _fmt(rng.choice(MEASURES), ctx)))
    blocks.append(Block("h", "六、其他需要报告的事项"))
    blocks.append(
        Block("p", _fmt(rng.choice(OTHER_NEW if template == "2021" else OTHER_2019), ctx))
    )
    facts.update({"N": ctx["N"], "A": ctx["A"], "B": ctx["B"], "reviews": reviews, "suits": suits,
                  "w": ctx["w"], "problem": problems[1]})  # fmt: skip
    return blocks, facts


def body_legacy(bureau_id: str, year: int) -> tuple[list[Block], dict]:
    """Before 2019 reports followed the 2008 ordinance's outline, in each bureau's own words."""
    rng = rng_for(bureau_id, year, "report")
    ctx = _context(rng, bureau_id, year)
    s = scale(bureau_id)
    org = BY_ID[bureau_id]
    intro = (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{org.name}编制。全文包括概述、"
        "主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、因政府信息公开申请提起行政复议和"
        f"行政诉讼的情况、存在的主要问题及改进措施等。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有任何疑问，请与{org.name}办公室联系（地址：{org.address}；电话：{org.phone}）。"
    )
    blocks = [Block("p", intro), Block("h", "一、概述")]
    if year == 2008:
        blocks.append(Block("p", _fmt(LEGACY_FIRST_YEAR, ctx)))
    blocks.append(Block("p", _fmt(rng.choice(LEGACY_OVERVIEW), ctx)))
    blocks.append(Block("p", _fmt(rng.choice(LEGACY_ORG), ctx)))
    cats = {"机构职能类": rng.randrange(3, 10 * s), "政策法规类": rng.randrange(5, 20 * s),
            "规划计划类": rng.randrange(1, 6 * s), "行政许可类": rng.randrange(10, 80 * s),
            "工作动态类": rng.randrange(40, 200 * s), "其他类": rng.randrange(5, 30 * s)}  # fmt: skip
    total = sum(cats.values())
    blocks.append(Block("h", "二、主动公开政府信息情况"))
    parts = "，".join(f"{k}{v}条" for k, v in cats.items())
    blocks.append(Block("p", f"{year}年，{ctx['me']}主动公开政府信息{total}条，其中{parts}。"))
    if rng.random() < 0.5:
        rows: list[list[Cell]] = [["信息类别", "公开条数", "占比"]]
        rows += [[k, str(v), f"{100 * v / total:.1f}%"] for k, v in cats.items()]
        rows.append(["合计", str(total), "100%"])
        blocks.append(Block("table", rows=rows))
    channels = LEGACY_CHANNELS if year >= 2011 else LEGACY_CHANNELS[:2]
    blocks.append(Block("p", _fmt(rng.choice(channels), ctx)))
    blocks.append(Block("h", "三、依申请公开政府信息情况"))
    applied = rng.randrange(0, 6 * s)
    if applied == 0:
        blocks.append(Block("p", f"{year}年，{ctx['me']}未收到政府信息公开申请。"))
    else:
        online = rng.randrange(0, applied + 1)
        letters = rng.randrange(0, applied - online + 1)
        yes = rng.randrange(0, applied + 1)
        part = rng.randrange(0, applied - yes + 1)
        none = applied - yes - part
        blocks.append(
            Block(
                "p",
                (
                    f"{year}年，{ctx['me']}共收到政府信息公开申请{applied}件，其中网上申请{online}件，信函申请{letters}件，"
                    f"当面申请{applied - online - letters}件。已全部按期答复，其中同意公开{yes}件，部分公开{part}件，"
                    f"信息不存在或非本机关掌握{none}件。"
                ),
            )
        )
    blocks.append(Block("h", "四、政府信息公开的收费及减免情况"))
    blocks.append(Block("p", _fmt(rng.choice(LEGACY_FEES), ctx)))
    blocks.append(Block("h", "五、因政府信息公开申请提起行政复议、行政诉讼的情况"))
    reviews = 1 if rng.random() < 0.1 * s else 0
    if reviews:
        blocks.append(
            Block(
                "p",
                f"{year}年，{ctx['me']}发生因政府信息公开申请提起的行政复议1件，经复议维持原答复；未发生行政诉讼。",
            )
        )
    else:
        blocks.append(
            Block("p", f"{year}年，{ctx['me']}未发生因政府信息公开申请提起的行政复议和行政诉讼。")
        )
    blocks.append(Block("h", "六、存在的主要问题及改进措施"))
    blocks.append(Block("p", _fmt(rng.choice(LEGACY_PROBLEMS), ctx)))
    blocks.append(Block("p", _fmt(rng.choice(LEGACY_MEASURES), ctx)))
    return blocks, {"N": total, "A": applied, "reviews": reviews}


# --- the items ------------------------------------------------------------------------------------------


def _published_for_report(bureau_id: str, year: int, late: bool) -> str:
    rng = rng_for(bureau_id, year, "published")
    if late:
        day = dt.date(year + 1, rng.choice([2, 3, 4]), rng.randrange(2, 28))
    elif template_of(year) == "legacy":
        # The 2008 ordinance gave until 31 March; most bureaus published in the first quarter.
        month = rng.choice([1, 1, 2, 3, 3])
        day = dt.date(year + 1, month, rng.randrange(10, 29 if month == 2 else 31))
    else:
        day = dt.date(year + 1, 1, rng.randrange(10, 32))
    return stamp(day, rng)


def hanweb_fields(item: Item, rng: random.Random, doc_no: str = "") -> None:
    """Hanweb portals show an xxgk table: 索引号 built on the credit code, 成文日期 a few days earlier."""
    if BY_ID[item.bureau_id].family != "hanweb":
        if doc_no:
            item.doc_no = doc_no
        return
    pub = dt.date.fromisoformat(item.published[:10])
    item.index_no = f"{VOICES[item.bureau_id].credit}/{pub.year}-{rng.randrange(1, 400):05d}"
    item.written_date = (pub - dt.timedelta(days=rng.randrange(0, 6))).isoformat()
    item.doc_no = doc_no


def _source(bureau_id: str, rng: random.Random) -> str:
    name = BY_ID[bureau_id].name
    return rng.choice([name, name, name, f"{name}办公室"])


def generated_reports() -> tuple[list[Item], dict[tuple[str, int], dict]]:
    """Every planned report, plus the facts their interpretations quote."""
    items: list[Item] = []
    facts_by: dict[tuple[str, int], dict] = {}
    for bureau_id, year, pattern, late in PLAN:
        if template_of(year) == "legacy":
            blocks, facts = body_legacy(bureau_id, year)
        else:
            blocks, facts = body_template(bureau_id, year, SPOILED.get((bureau_id, year)))
        rng = rng_for(bureau_id, year, "meta")
        item = Item(
            bureau_id=bureau_id,
            title=report_title(bureau_id, year, pattern),
            kind="annual_report",
            year=year,
            published=_published_for_report(bureau_id, year, late),
            source=_source(bureau_id, rng),
            blocks=blocks,
            must_survive=pick_must_survive(blocks, rng),
        )
        doc_no = ""
        if rng.random() < 0.2:
            doc_no = f"{VOICES[bureau_id].doc_prefix}〔{year + 1}〕{rng.randrange(1, 30)}号"
        hanweb_fields(item, rng, doc_no)
        if rng.random() < 0.15:
            item.attachments = [f"{item.title}.pdf"]
        items.append(item)
        facts_by[(bureau_id, year)] = facts
    return items, facts_by


def interpretation(bureau_id: str, year: int, pattern: str, report: Item, facts: dict) -> Item:
    """A 解读 of one report: its figures retold in short lines, as the 图解 pages' text layer does."""
    rng = rng_for(bureau_id, year, "interpretation")
    org = BY_ID[bureau_id].name
    me = VOICES[bureau_id].me
    title = pattern.format(report=report.title, org=org, year=year)
    blocks = [
        Block(
            "p",
            f"为便于社会公众更好地了解{me}{year}年政府信息公开工作情况，现对《{report.title}》解读如下。",
        )
    ]
    blocks.append(Block("h", "一、主动公开"))
    if "N" in facts:
        blocks.append(Block("p", f"{year}年，{me}主动公开政府信息{facts['N']}条。"))
    if "permits" in facts:
        blocks.append(
            Block(
                "p", f"全年作出行政许可决定{facts['permits']}件，行政处罚决定{facts['punish']}件。"
            )
        )
    blocks.append(Block("h", "二、依申请公开"))
    applied = facts.get("A", 0)
    blocks.append(
        Block("p", f"全年新收政府信息公开申请{applied}件，均在法定期限内予以答复。")
        if applied
        else Block("p", f"{year}年，{me}未收到政府信息公开申请。")
    )
    blocks.append(Block("h", "三、行政复议和行政诉讼"))
    n = facts.get("reviews", 0) + facts.get("suits", 0)
    blocks.append(
        Block(
            "p",
            f"全年因政府信息公开引起的行政复议、行政诉讼共{n}件。"
            if n
            else "全年未发生因政府信息公开引起的行政复议、行政诉讼。",
        )
    )
    blocks.append(Block("h", "四、下一步工作"))
    blocks.append(
        Block(
            "p",
            rng.choice(
                [
                    f"{year + 1}年，{me}将继续深化重点领域信息公开，提升政策解读质量，不断增强政务公开实效。",
                    f"下一步，{me}将聚焦群众关切，持续优化政府信息公开专栏，推动政务公开工作再上新台阶。",
                ]
            ),
        )
    )
    pub = dt.datetime.fromisoformat(report.published) + dt.timedelta(minutes=rng.randrange(3, 50))
    item = Item(bureau_id=bureau_id, title=title, kind="interpretation", year=year,
                published=pub.strftime("%Y-%m-%d %H:%M"), source=report.source, blocks=blocks)  # fmt: skip
    item.must_survive = [b.text for b in blocks if b.kind == "p"][:4]
    hanweb_fields(item, rng)
    report.related.append((title, title))
    return item


def work_plan(bureau_id: str, year: int, pattern: str) -> Item:
    rng = rng_for(bureau_id, year, "work_plan")
    v = VOICES[bureau_id]
    ctx = {"me": v.me, "div": v.div, "units": v.units, "Y": year, "topic1": rng.choice(v.topics)}
    blocks = [
        Block("p", _fmt(rng.choice([
            "为深入贯彻落实国务院办公厅和上级关于{Y}年政务公开工作的部署要求，进一步提升交通运输政务公开质量和实效，结合工作实际，制定本要点。",
            "{Y}年，{me}政务公开工作要以习近平新时代中国特色社会主义思想为指导，坚持以公开促落实、以公开优服务，现就有关工作要点明确如下。",
        ]), ctx)),
        Block("h", "一、强化政策发布解读"),
        Block("p", _fmt("严格落实政策文件与解读材料同步组织、同步审签、同步部署要求，{Y}年{me}制发的规范性文件解读率达到100%，重要政策解读形式不少于两种。", ctx)),
        Block("h", "二、深化重点领域信息公开"),
        Block("p", _fmt("围绕{topic1}等群众关注事项，及时公开政策依据、办理流程和结果信息；重大建设项目按照批准、实施、竣工三个阶段分类公开。", ctx)),
        Block("h", "三、规范依申请公开办理"),
        Block("p", _fmt("严格执行登记、审核、办理、答复、归档各环节要求，答复文书统一格式，法律救济途径告知完整，全年无逾期答复。", ctx)),
        Block("h", "四、加强组织保障"),
        Block("p", _fmt("各{div}、{units}要明确一名政务公开联络员，每月{day}日前报送上月公开情况，{me}办公室每季度通报一次。", {**ctx, "day": rng.choice([5, 8, 10])})),
    ]  # fmt: skip
    month = rng.choice([3, 3, 4, 5])
    item = Item(bureau_id=bureau_id, title=pattern.format(year=year), kind="work_plan", year=year,
                published=stamp(dt.date(year, month, rng.randrange(1, 29)), rng),
                source=_source(bureau_id, rng), blocks=blocks)  # fmt: skip
    item.must_survive = pick_must_survive(blocks, rng, 4)
    hanweb_fields(item, rng, f"{v.doc_prefix}〔{year}〕{rng.randrange(2, 40)}号")
    return item


def guide(bureau_id: str) -> Item:
    rng = rng_for(bureau_id, "guide")
    b = BY_ID[bureau_id]
    blocks = [
        Block("p", f"为便于公民、法人和其他组织获取{b.name}的政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。"),
        Block("h", "一、主动公开"),
        Block("p", f"（一）公开范围。{b.name}主动公开机构职能、政策文件、规划计划、行政许可和行政处罚结果、财政预决算、重大建设项目等政府信息，具体内容见{b.site_name}门户网站政府信息公开目录。"),
        Block("p", "（二）公开方式。主要通过门户网站政府信息公开专栏公开，并辅以政务新媒体、新闻发布会、政务服务大厅公开栏等方式。"),
        Block("p", "（三）公开时限。属于主动公开范围的政府信息，自该信息形成或者变更之日起20个工作日内予以公开。"),
        Block("h", "二、依申请公开"),
        Block("p", f"（一）受理机构。{b.name}办公室，地址：{b.address}，联系电话：{b.phone}，办公时间：工作日上午8:30—12:00，下午{rng.choice(['14:30', '15:00'])}—17:30（法定节假日除外）。"),
        Block("p", "（二）申请方式。申请人可通过门户网站在线申请、信函申请或当面申请，并填写《政府信息公开申请表》；采用信函方式的，请在信封左下角注明“政府信息公开申请”字样。"),
        Block("p", "（三）办理时限。能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内予以答复，需要延长答复期限的，延长期限最长不超过20个工作日。"),
        Block("h", "三、监督和救济"),
        Block("p", f"公民、法人或者其他组织认为{b.name}在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"),
    ]  # fmt: skip
    title = rng.choice(
        [f"{b.name}政府信息公开指南", f"{b.name}政府信息公开指南", f"{b.name}政府信息公开申请指南"]
    )
    pub = GUIDE_PUBLISHED[bureau_id]
    item = Item(bureau_id=bureau_id, title=title, kind="guide", year=None, published=pub,
                source=_source(bureau_id, rng), blocks=blocks)  # fmt: skip
    item.must_survive = [blocks[6].text.split("，办公时间")[0], blocks[4].text, blocks[10].text]
    item.must_survive.append(blocks[2].text.split("，具体内容")[0])
    hanweb_fields(item, rng)
    return item


def notice(bureau_id: str, year: int | None, title: str, published: str) -> Item:
    rng = rng_for(bureau_id, title)
    b = BY_ID[bureau_id]
    v = VOICES[bureau_id]
    pub = dt.date.fromisoformat(published[:10])
    addressees = {"province": "各市、县（区）交通运输局，厅机关各处室、厅直各单位：",
                  "city": "各县（市、区）交通运输局，局机关各科室、局属各单位：",
                  "county": "局机关各股室、局属各单位，各乡镇交通运输管理站："}[b.level]  # fmt: skip
    y = year or pub.year
    body = {
        "年度报告": [
            f"根据《中华人民共和国政府信息公开条例》和上级关于政府信息公开工作年度报告格式的要求，现就做好{y}年政府信息公开工作年度报告编制和发布工作通知如下。",
            f"一、各单位要严格对照年度报告格式模板，认真核对各项统计数据，确保数据准确、勾稽关系正确，于{y + 1}年1月{rng.choice([8, 10, 12])}日前将本单位年度报告报送{v.office}。",
            f"二、{v.office}汇总审核后，于{y + 1}年1月31日前在门户网站“{b.column_name}”栏目公开{b.name}年度报告。",
            "三、年度报告应当语言规范、表述准确，不得出现政治性错误、错别字和泄露国家秘密、工作秘密的内容。",
        ],
        "自查": [
            f"为全面检验{y}年政务公开工作成效，{b.name}决定开展政务公开工作自查，现将有关事项通知如下。",
            "一、自查内容包括主动公开栏目更新、依申请公开办理、政策解读回应、政务新媒体管理等方面。",
            f"二、请各单位于{y}年12月{rng.choice([10, 15, 20])}日前完成自查，形成书面报告报送{v.office}。",
        ],
        "领导小组": [
            "因人员变动，经研究决定，对政务公开工作领导小组成员进行调整。",
            f"领导小组下设办公室，办公室设在{v.office}，负责政务公开日常工作，办公室主任由{v.office}主要负责同志兼任。",
            "各成员单位要明确一名联络员，负责本单位政务公开信息的收集、审核和报送工作。",
        ],
        "申请办理": [
            "为进一步规范政府信息公开申请办理工作，提高答复质量，现就有关事项通知如下。",
            "一、收到政府信息公开申请后，承办单位应在2个工作日内完成登记，对申请内容不明确的，一次性告知申请人补正。",
            "二、答复文书应当载明答复依据和理由，并告知申请人申请行政复议和提起行政诉讼的途径和期限。",
            "三、办理过程中形成的申请材料、答复文书、送达凭证等应当及时归档，保存期限不少于10年。",
        ],
    }
    key = next((k for k in ("年度报告", "自查", "领导小组") if k in title), "申请办理")
    blocks = [Block("p", addressees)] + [Block("p", t) for t in body[key]]
    blocks.append(Block("p", f"{b.name}办公室"))
    blocks.append(Block("p", cn_date(pub - dt.timedelta(days=rng.randrange(0, 3)))))
    item = Item(bureau_id=bureau_id, title=title, kind="other", year=year, published=published,
                source=_source(bureau_id, rng), blocks=blocks)  # fmt: skip
    item.must_survive = [blk.text for blk in blocks[:-2]][:6]
    hanweb_fields(item, rng, f"{v.doc_prefix}〔{pub.year}〕{rng.randrange(40, 90)}号")
    return item


def generated_items(seed_reports: list[Item]) -> list[Item]:
    """All generated items; seed reports that have a 解读 get it linked in their `related` list."""
    reports, facts_by = generated_reports()
    by_key = {(it.bureau_id, it.year): it for it in reports}
    for it in seed_reports:
        if it.kind == "annual_report":
            by_key.setdefault((it.bureau_id, it.year), it)
    facts_by.setdefault(("lushan-jtj", 2020), {"N": None, "permits": 1550, "punish": 219, "A": 0})
    items = list(reports)
    for bureau_id, year, pattern in INTERPRETATIONS:
        facts = {k: v for k, v in facts_by[(bureau_id, year)].items() if v is not None}
        items.append(interpretation(bureau_id, year, pattern, by_key[(bureau_id, year)], facts))
    items += [work_plan(*wp) for wp in WORK_PLANS]
    items += [guide(b) for b in VOICES]
    items += [notice(*n) for n in NOTICES]
    return items
