"""Report metadata from title lines and the file name.

>>> m = extract_metadata("陡水镇2020年政府信息公开工作年度报告\\n正文……", "0026.txt")
>>> (m.title, m.agency, m.year, m.level, m.doc_type, m.template)
('陡水镇2020年政府信息公开工作年度报告', '陡水镇', 2020, 'town', 'disclosure_annual_report', '2019')
"""

from __future__ import annotations

import re
from collections import Counter

from nlp_reports.types import Metadata

_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9", "Ｏ": "0", "O": "0"}
_CN_YEAR = re.compile(r"([一二三四五六七八九〇○零ＯO]{4})年")
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20[0-4]\d)\s*年")

_DISCLOSURE_TITLE = re.compile(
    r"([^\s。，：>]{0,60}?(?:19|20)\d{2}\s*年(?:度)?[^\s。，：]{0,30}?(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:报告|年报))"
)
_WORK_TITLE = re.compile(r"(?:^|\n)\s*([^\s。，：>]{0,40}?政府工作报告)\s*(?:\n|$)")
_DISCLOSURE_WORDS = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:报告|年报)|政务公开工作年度报告|信息公开年报")
_WORK_WORDS = re.compile(r"政府工作报告|向大会(?:作)?(?:报告|作)政府工作|代表[^。]{0,12}政府[^。]{0,6}(?:向大会)?报告工作")

PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆"
)
_PROVINCE_GOV = re.compile(rf"^(?:{PROVINCES})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)?(?:人民政府)?(?:办公厅)?$")


_NPC_SESSION = re.compile(r"第([一二三四五六七八九十]{1,3})届全国人民代表大会第([一二三四五六七八九十]{1,2})次会议")
# first year of each 全国人民代表大会 term; sessions of the early terms were irregular
_NPC_FIRST_YEAR = {1: 1954, 2: 1959, 3: 1964, 4: 1975, 5: 1978, 6: 1983, 7: 1988, 8: 1993, 9: 1998,
                   10: 2003, 11: 2008, 12: 2013, 13: 2018, 14: 2023, 15: 2028}
_NPC_IRREGULAR = {(2, 3): 1962, (2, 4): 1963}


def _cn_int(s: str) -> int:
    vals = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + vals.get(s[1], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return vals.get(a, 0) * 10 + (vals.get(b, 0) if b else 0)
    return vals.get(s, 0)


def npc_session_year(term: str, session: str) -> int | None:
    """Year of a session of the 全国人民代表大会 ("五", "一" -> 1978)."""
    t, s = _cn_int(term), _cn_int(session)
    if (t, s) in _NPC_IRREGULAR:
        return _NPC_IRREGULAR[(t, s)]
    first = _NPC_FIRST_YEAR.get(t)
    return first + s - 1 if first and s >= 1 else None


def _cn_year(s: str) -> int | None:
    digits = "".join(_CN_DIGIT.get(c, "") for c in s)
    return int(digits) if len(digits) == 4 else None


def _years(text: str) -> list[int]:
    ys = [int(m.group(1)) for m in _YEAR.finditer(text)]
    ys += [y for m in _CN_YEAR.finditer(text) if (y := _cn_year(m.group(1))) and 1940 < y < 2100]
    return ys


def find_title(text: str) -> tuple[str | None, str]:
    # a title may be broken over two short lines ("…2013年度信息公开工作\n年度报告")
    joined = re.sub(r"(?<=[\u4e00-\u9fff\d])[ \t\u3000]*\n[ \t\u3000]*(?=[\u4e00-\u9fff\d])", "", text[:1500])
    m = _DISCLOSURE_TITLE.search(joined)
    if m:
        return m.group(1).strip(), "disclosure title line"
    head = text[:1500]
    m = _WORK_TITLE.search(head)
    if m and len(m.group(1)) > len("政府工作报告"):
        return m.group(1).strip(), "work report title line"
    for line in head.split("\n")[:8]:
        s = line.strip()
        if s and len(s) <= 40 and "报告" in s and "。" not in s and not s.endswith("：") and "代表" not in s:
            return s, "first line naming a report"
    return None, "no title line"


_DISCLOSURE_CUES = re.compile(r"政府信息公开条例|主动公开政府信息|依申请公开|政府信息公开工作|信息公开年报|政务公开")


def guess_doc_type(title: str | None, text: str) -> tuple[str, str]:
    if title and _DISCLOSURE_WORDS.search(title):
        return "disclosure_annual_report", "title names a 政府信息公开年度报告"
    if title and "政府工作报告" in title:
        return "government_work_report", "title names a 政府工作报告"
    head = text[:4000]
    if len(_DISCLOSURE_CUES.findall(text[:1500])) >= 2 and "各位代表" not in head[:600]:
        return "disclosure_annual_report", "opening speaks of 政府信息公开 (条例, 主动/依申请公开)"
    if _WORK_WORDS.search(head) or ("各位代表" in head[:600]):
        return "government_work_report", "opening addresses the 人民代表大会"
    if _DISCLOSURE_WORDS.search(head) or "政府信息公开条例" in head:
        return "disclosure_annual_report", "opening cites the 政府信息公开条例"
    return "other", "neither a disclosure nor a work report"


def guess_year(title: str | None, text: str, doc_type: str, filename: str | None) -> tuple[int | None, str]:
    if title:
        ys = _years(title)
        if ys:
            return ys[0], "year in title"
    if filename:
        m = re.search(r"(?<!\d)(19[4-9]\d|20[0-4]\d)(?!\d)", filename)
        if m:
            return int(m.group(1)), "year in file name"
    if doc_type == "government_work_report":
        m = re.search(r"——\s*((?:19|20)\d{2}|[一二三四五六七八九〇○零]{4})\s*年[^\n]{0,12}在", text[:3000])
        if m:
            y = _cn_year(m.group(1)) if not m.group(1).isdigit() else int(m.group(1))
            if y:
                return y, "delivery date line"
        # "首先报告2001年的工作" / "一、2024年工作回顾": the report is given the year after
        m = re.search(r"(?:报告|回顾)\s*((?:19|20)\d{2}|[一二三四五六七八九〇○零]{4})\s*年(?:的)?工作|"
                      r"((?:19|20)\d{2}|[一二三四五六七八九〇○零]{4})\s*年(?:的)?工作(?:回顾|总结)", text[:6000])
        if m:
            g = m.group(1) or m.group(2)
            y = int(g) if g.isdigit() else _cn_year(g)
            if y:
                return y + 1, "year of the work reviewed + 1"
        m = _NPC_SESSION.search(text[:6000])
        if m:
            y = npc_session_year(m.group(1), m.group(2))
            later = text[m.end() : m.end() + 12]
            previous = "以来" in later or re.search(r"(自|从|上次|去年)\S{0,3}$", text[max(0, m.start() - 6) : m.start()])
            if y and m.start() < 300 and not previous:
                return y, f"this session: 第{m.group(1)}届全国人民代表大会第{m.group(2)}次会议"
            if y:
                # a session named later in the text is the previous one: a year back, or a whole term
                # back when the report reviews 过去五年
                term_start = _cn_int(m.group(2)) == 1
                if term_start and re.search(r"过去五年|五年来", text[:8000]):
                    return y + 5, "previous term's first session + 5 (reviews 过去五年)"
                return y + 1, "previous session + 1"
        ys = _years(text[: max(3000, len(text) // 3)])
        if ys:
            common = Counter(ys).most_common(3)
            return common[0][0] + 1, "most mentioned year + 1 (the year reviewed)"
        return None, "no year found"
    ys = _years(text[:3000])
    if ys:
        return Counter(ys).most_common(1)[0][0], "most mentioned year near the top"
    return None, "no year found"


_AGENCY_END = re.compile(
    r"(人民政府|政府|管委会|管理委员会|管理局|局|委员会|委|办公厅|办公室|办|办事处|街道|镇|乡|中心|厅|署|所|实验区|新区|区|县|市|旗|盟|州)$"
)
# breadcrumb and framing words that precede the agency in web-page titles
_BREADCRUMB = re.compile(r".*(?:年报|首页|政务公开|信息公开|[|>»/,，。：:;；]|现公布|公布|报告|关于|\d{4}年度?)")
_AGENCY_IN_TEXT = re.compile(
    r"([\u4e00-\u9fff]{2,30}?(?:管委会|管理局|人民政府|局|委员会|办公室|办事处|街道|镇|乡))\s*(?:关于)?\s*(?:19|20)\d{2}\s*年度?"
    r"(?:政府|政务)?信息公开"
)


def clean_agency(raw: str | None) -> str | None:
    """Strip breadcrumbs and framing from the text before a title's year.

    >>> clean_agency("首页政务公开信息公开年报示例县交通运输局")
    '示例县交通运输局'
    >>> clean_agency("对照相关要求,现特向社会公布") is None
    True
    """
    if not raw:
        return None
    t = re.sub(r"\s+", "", raw)
    t = _BREADCRUMB.sub("", t) if _BREADCRUMB.match(t) else t
    t = re.sub(r"^(?:我|本)", "", t)
    if len(t) < 2 or not _AGENCY_END.search(t) or re.search(r"(我|本|特|向社会|根据|要求)", t):
        return None
    return t


def guess_agency(title: str | None, doc_type: str, text: str) -> str | None:
    if title:
        t = re.sub(r"\s+", "", title)
        if t.startswith("中华人民共和国") or "国务院" in t[:12]:
            return "国务院"
        prefix = re.split(r"(?:关于)?(?:19|20)\d{2}年(?:度)?", t, maxsplit=1)[0]
        if not prefix:  # "2019年上海市人民政府办公厅政府信息公开…", "2026年湖南省政府工作报告"
            prefix = re.sub(r"^(?:19|20)\d{2}年(?:度)?", "", t)
            prefix = re.sub(r"(?:政府信息公开工作年度报告|政府信息公开年度报告|政府信息公开年报|政府信息公开工作报告|"
                            r"信息公开工作年度报告|政府工作报告|工作报告)$", "", prefix)
        a = clean_agency(prefix)
        if a:
            if doc_type == "government_work_report" and not a.endswith(("政府", "人民政府")):
                a += "人民政府"
            return a
    if doc_type == "government_work_report":
        m = re.search(r"在([\u4e00-\u9fff]{2,12}?(?:省|自治区|市))第[一二三四五六七八九十]{1,3}届人民代表大会", text[:3000])
        if m:
            return m.group(1) + "人民政府"
        if "全国人民代表大会" in text[:6000] or "我代表国务院" in text[:600]:
            return "国务院"
        return None
    flat = text[:3000].replace("\n", "")
    m = _AGENCY_IN_TEXT.search(flat)
    if m and (a := clean_agency(m.group(1))):
        return a
    # the signature at the end ("某某区某某管理局 2020年1月6日", invented) or the contact line
    tail = text[-300:]
    m = re.search(r"([\u4e00-\u9fff]{3,30}?)\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", tail)
    if m and (a := clean_agency(m.group(1))):
        return a
    m = re.search(r"(?:请与|联系)([\u4e00-\u9fff]{3,30}?(?:管委会|管理局|局|政府|办事处))(?:办公室|党政办|办公厅|综合科)", flat)
    if m and (a := clean_agency(m.group(1))):
        return a
    return None


def guess_level(agency: str | None) -> str | None:
    if not agency:
        return None
    a = agency
    if a == "国务院" or a.startswith("中华人民共和国"):
        return "national"
    if _PROVINCE_GOV.match(a):
        return "province"
    if re.search(r"(局|委员会|委|办公室|中心|厅|署|所)$", a) and not re.search(r"片区管理局$", a):
        return "department"
    if re.search(r"(镇|乡|街道|街道办事处|片区管理局|片区)(人民政府)?$", a):
        return "town"
    if re.search(r"(县|区|旗)(人民政府)?$", a) and not re.search(r"(实验区|新区|开发区)$", a):
        return "county"
    if re.search(r"(市|州|盟|实验区|新区|管委会)(人民政府)?$", a):
        return "city"
    return None


def guess_template(year: int | None, text: str) -> tuple[str, str]:
    """Template generation of a disclosure report's tables: pre-2019, 2019 or 2021."""
    if "本年制发件数" in text or "现行有效件数" in text or "本年收费金额" in text:
        return "2021", "表二 labels of the 2021 format"
    if "本年新制作数量" in text or "上一年项目数量" in text or "第二十条第（九）项" in text:
        return "2019", "表二 labels of the 2019 format"
    if year is None:
        return "pre-2019", "no year and no 2019/2021 table labels"
    if year >= 2021:
        return "2021", "report year >= 2021"
    if year >= 2019:
        return "2019", "report year 2019-2020"
    return "pre-2019", "report year < 2019"


def extract_metadata(text: str, filename: str | None = None) -> Metadata:
    """Title, agency, year, level, doc_type and template of a (normalized) report text."""
    title, why_t = find_title(text)
    doc_type, why_d = guess_doc_type(title, text)
    year, why_y = guess_year(title, text, doc_type, filename)
    agency = guess_agency(title, doc_type, text)
    level = guess_level(agency)
    template, why_tp = (guess_template(year, text) if doc_type == "disclosure_annual_report" else (None, ""))
    ev = {"title": why_t, "doc_type": why_d, "year": why_y}
    if template:
        ev["template"] = why_tp
    return Metadata(title, agency, year, level, doc_type, template, ev)
