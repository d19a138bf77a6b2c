"""Heading, enumeration and section-name patterns (data, shared by the structure modules)."""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"

# marker type -> regex matching the marker at the start of a line (after optional spaces)
MARKERS: dict[str, str] = {
    "cn": rf"[{CN_NUM}]{{1,3}}[、．]",  # 一、
    "cn_paren": rf"[（(][{CN_NUM}]{{1,3}}[）)]",  # （一）
    "num": r"\d{1,2}(?:[、．]|\.(?!\d))",  # 1、 1.
    "num_paren": r"(?:[（(]\d{1,2}[）)]|\d{1,2}[）)])",  # （1） 1）
    "circled": r"[①-⑳]",
    "ordinal": rf"第[{CN_NUM}]{{1,3}}(?:[，、,]|部分|章|节)",  # 第一，
    "annex": r"附(?:件|表)\s*\d{0,2}\s*[：:]?",
}
MARKER_RE = {k: re.compile(r"[ \t\u3000]*(" + v + r")") for k, v in MARKERS.items()}
ANY_MARKER = re.compile(r"[ \t\u3000]*(" + "|".join(MARKERS.values()) + r")")

# enumerated items inside running text: 一是… 二是…, （一）… 1.… ①…
ITEM_MARKER = re.compile(
    rf"(?:[{CN_NUM}]是|其[{CN_NUM}]是|[（(][{CN_NUM}]{{1,3}}[）)]|[（(]\d{{1,2}}[）)]|[①-⑳]|(?<![\d.．])\d{{1,2}}[、．](?!\d))"
)

# canonical parts of a disclosure report, matched against a heading's title (order matters:
# the first match wins). Variants from report-format.md §2 and the corpus.
DISCLOSURE_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("问题与改进", re.compile(r"(存在的?(主要|突出)?问题|问题[及和与]|不足[及和与]|改进(情况|措施)|整改(情况|措施))")),
    ("复议诉讼", re.compile(r"(行政复议|行政诉讼|复议、|复议和诉讼)")),
    ("依申请公开", re.compile(r"(依申请|收到和处理|处理政府信息公开申请|公开申请(的)?情况|申请公开)")),
    ("主动公开", re.compile(r"主动公开")),
    ("其他事项", re.compile(r"(其他需要报告|其他事项|其他报告事项|其它需要报告)")),
    ("总体情况", re.compile(r"(总体情况|概述|基本情况|总体工作情况)")),
)

# headings that can stand inline in one-line web text: "…。一、总体情况2020年，我区…"
INLINE_CANONICAL = re.compile(
    rf"(?<![第{CN_NUM}])([{CN_NUM}]{{1,2}}、\s*(?:"
    r"总体情况|概述|(?:政府信息)?主动公开(?:政府信息)?(?:的)?情况|收到和处理政府信息公开申请(?:的)?情况"
    r"|(?:因)?政府信息公开(?:工作)?(?:被申请|申请)?行政复议[、和及](?:提起)?行政诉讼(?:的)?情况"
    r"|(?:政府信息公开工作)?存在的?主要问题[及和与]改进(?:情况|措施)|其他需要报告的事项"
    r"|当前存在的?(?:突出|主要)?问题|存在的?(?:主要|突出)?问题(?:[及和与](?:改进|整改)(?:情况|措施))?"
    r"|(?:政府信息)?依申请公开(?:政府信息)?(?:的)?情况))"
)

# opening of a work report's self-critique passage (政府工作报告)
CRITIQUE_OPENERS = re.compile(
    r"(我们也清醒|我们清醒地?(?:看到|认识到)|也要清醒地?(?:看到|认识到)|应当清醒地?看到|同时也要看到|同时也清醒|"
    r"在(?:充分)?肯定成绩的同时|在看到成绩的同时|既要看到成绩，?(?:更|也)要看到|同时我们清醒|我们也(?:要)?看到|也清醒地?认识到|清醒认识到|"
    r"还存在着?一些不容忽视的问题|仍然存在一些突出矛盾和问题|还面临一些困难和挑战|"
    r"问题也不容忽视|问题(?:仍然|依然)?不容忽视|(?:成绩|成就)固然可喜|我们(?:目前)?面临的(?:突出|主要)问题是|"
    r"政府工作(?:中|还)?(?:存在|有)[^。]{0,12}(?:不足|差距|问题)|"
    r"(?:前进中|工作中|发展中)(?:也)?(?:还|仍然|仍)?(?:存在|有)(?:着)?(?:不少|一些|某些)(?:不可忽视的)?(?:困难|问题|缺点))"
)
CRITIQUE_CONTINUE = re.compile(
    r"(不足|问题|短板|差距|不够|不强|不高|困难|薄弱|形式主义|官僚主义|不到位|不平衡|不充分|压力|风险|隐患|挑战|弱项)"
)
CRITIQUE_CLOSER = re.compile(r"^(我们(?:一定|要|将|必须)|对此|对这些|对于这些|对(?:以上|上述)|各级政府)")
# a sentence inside a paragraph that closes the problems it follows (上述这些问题……切实加以解决。): what the
# paragraph says after it (thanks, the year's outlook) is no longer the passage
CLOSER_INSIDE = re.compile(r"(?<=[。！？；])(?:上述|以上|这些|对这些|对上述)[^。！？]{0,30}问题[^。！？]*[。！？]")
# a sentence just before the opener that already admits: 但是，…问题还有许多没有解决。 / …估计不足，…不够稳妥。
ADMISSION_TURN = re.compile(r"^\s*但(?:是)?[，,]")
ADMISSION = re.compile(r"不足|不够|缺点|失误|不稳妥|没有解决|未解决")
# an admission that the body's own targets were missed, just before the opener, opens the passage
MISSED_TARGET = re.compile(
    r"(?:未|没有|没能|未能)(?:如期|按期|全面)?(?:完成|达到|实现)[^，。；]{0,20}(?:目标|指标|计划|任务)|"
    r"(?:目标|指标|计划|任务)[^，。；]{0,12}(?:未|没有|没能|未能)(?:如期|按期|全面)?(?:完成|达到|实现)"
)
# the next item of an enumeration that the passage opened: 一是 … / 二是 … ; 第一，… / 第二，…
ORDINALS = "一二三四五六七八九十"
ENUM_ITEM = re.compile(r"^\s*(?:([一二三四五六七八九十])是|第([一二三四五六七八九十])[，、,])")
# an item opened anywhere in a paragraph (…。二是…), and a marker alone on its line (「二是」)
ENUM_ANYWHERE = re.compile(r"(?:^|[。；：:！？\s])\s*([一二三四五六七八九十])是")
BARE_ENUM_MARKER = re.compile(r"(?:[一二三四五六七八九十]是|第[一二三四五六七八九十])[，、,：:]?")

# work-report part names
# "2026年主要工作" is a plan: 主要工作 after a year is not a review cue
WORK_REVIEW = re.compile(r"(回顾|总结|过去一年|过去五年|成就|(?<!\d\d\d\d年)主要工作)")
WORK_PLAN = re.compile(
    r"(总体要求|预期目标|主要任务|目标任务|规划|重点(工作|任务)|工作(任务|安排|部署)|今年|\d{4}年(?!工作(回顾|总结)))"
)

TERMINATORS = "。！？；!?;"
CLOSING_QUOTES = "”’」』）)》】"

# table vocabulary: a unit made of these is a table, not a sentence
TABLE_WORDS = re.compile(
    r"(本年新公开数量|信息内容|对外公开总数量|本年新制作数量|本年制发件数|本年废止件数|现行有效件数|上一年项目数量|"
    r"本年增/减|处理决定数量|采购项目数量|采购总金额|自然人|科研机构|商业企业|法律服务机构|社会公益组织|"
    r"结果维持|结果纠正|其他结果|尚未审结|未经复议直接起诉|复议后起诉|申请人情况|本年收费金额)"
)
