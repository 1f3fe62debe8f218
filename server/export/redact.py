"""Removing a visitor's personal details from free text, pure (DOMAIN.md: they are confidential).

What is removed, and replaced by ``***``:

* any run of 7 or more digits, with spaces or hyphens between them and an ``X`` at the
  end: 18-digit PRC ID numbers, mobile numbers (``1[3-9]`` and 9 more), landlines with
  their area code, bank cards (dates such as 2026-01-31 stay);
* e-mail addresses;
* addresses: a chain of 省/自治区/市/区/县/镇/乡/村 names, a street (路/街/道/巷/弄) with
  its number (号), a housing estate (小区) with its building and room (栋/幢/单元/室);
* names after a marker: 姓名, 来访人, 家属, 联系人, 当事人 … followed by two to four Han
  characters; in English "name:", "visitor:", "family:", "contact:" and a capitalised
  name. A name found once is removed wherever else it appears in the same export.

Names written with no marker cannot be told from other words: the full export is for
the roles allowed to ask for it; everything else gets this redaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

MASK = "***"

_HAN = r"\u4e00-\u9fff"
_DIGITS = re.compile(r"\d(?:[\s\-]*\d){6,}(?:[\s\-]*[Xx])?")
_DATE = re.compile(r"(?<![\d\-])\d{4}-\d{1,2}-\d{1,2}(?![\d\-Xx])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_NUM = r"[\d一二三四五六七八九十百零〇]+"
_UNIT = rf"(?:{_NUM}\s*(?:号楼|栋|幢|单元|室|层|楼|号))"
_ADDRESSES = [
    # a chain of divisions: 河北省石家庄市长安区, 北京市朝阳区
    re.compile(rf"(?:[{_HAN}]{{1,8}}?(?:省|自治区|市|区|县|镇|乡|村)){{2,}}"),
    # a street and its number: 建国路88号, 人民大道 1 号 3 单元 501 室
    re.compile(rf"[{_HAN}\d]{{0,6}}?(?:路|街|道|巷|弄)\s*{_NUM}\s*号{_UNIT}*"),
    # a lone building and room: 5栋201室
    re.compile(rf"{_UNIT}{{2,}}"),
]
# a housing estate and what follows (阳光小区3栋2单元401室), but not "the same estate"
_ESTATE = re.compile(rf"([{_HAN}]{{0,10}})小区{_UNIT}*")
_GENERIC = ("同一", "该", "本", "此", "某", "这个", "那个", "一个", "各", "附近", "周边")
_NAME_MARKERS = "姓名|名字|来访人|来访者|信访人|家属|联系人|当事人|申请人|投诉人|监护人"
_HAN_NAME = re.compile(rf"(?:{_NAME_MARKERS})\s*(?:(?:是|为|叫)\s*|([:：])\s*)?([{_HAN}·]{{2,4}})")
# Without a colon, a name must start with a common surname (so 家属已到场 names nobody).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤欧司诸上端皇令尉宇轩长慕"
)
_EN_MARKERS = "name|visitor|family|relative|contact|guardian"
_EN_NAME = re.compile(
    rf"(?i:\b(?:{_EN_MARKERS}))\s*[:：]\s*"
    r"([A-Z][A-Za-z'\-]*(?:[ \t]+[A-Z][A-Za-z'\-]*){0,2})"
)
_MIN_NAME = 2

# Quick tests that let a text skip the passes that cannot match in it. Each is implied by
# every match of the patterns it guards, and a mask (***) never adds what a test looks for.
_ADDRESS_CHARS = re.compile("[省区市县镇乡村号栋幢单室层楼]")  # every address pattern needs one
_CAPITAL = re.compile("[A-Z]")  # an English name starts with one (case-sensitive, not its marker)


@lru_cache(maxsize=4096)
def _prefixes(name: str, sep: str = "") -> frozenset[str]:
    """A name and its shorter beginnings: 王小明情 may be 王小明 followed by 情绪."""
    parts = name.split(sep) if sep else list(name)
    found = {sep.join(parts[:n]) for n in range(1, len(parts) + 1)}
    return frozenset(p.strip() for p in found if len(p.strip()) >= _MIN_NAME)


def names_in(text: str) -> set[str]:
    """The names a marker introduces in this text."""
    found: set[str] = set()
    for m in _HAN_NAME.finditer(text):
        if m[1] or m[2][0] in SURNAMES or m[0][m.start(2) - m.start(0) - 1] in "是为叫":
            found |= _prefixes(m[2])
    if (":" in text or "：" in text) and _CAPITAL.search(text):  # else _EN_NAME cannot match
        for m in _EN_NAME.finditer(text):
            found |= _prefixes(m[1], " ")
    return found


def _estate(m: re.Match[str]) -> str:
    return m[0] if m[1].endswith(_GENERIC) or not m[1] else MASK


def _digits(text: str) -> str:
    """Runs of digits masked; dates (found first, in the whole text) kept, never part of a run."""
    if "-" not in text:  # every date has a hyphen
        return _DIGITS.sub(MASK, text)
    parts: list[str] = []
    start = 0
    for m in _DATE.finditer(text):
        parts += (_DIGITS.sub(MASK, text[start : m.start()]), m[0])
        start = m.end()
    parts.append(_DIGITS.sub(MASK, text[start:]))
    return "".join(parts)


def _masked(text: str) -> str:
    """Numbers, e-mail addresses and postal addresses replaced (names are left to the caller)."""
    out = _EMAIL.sub(MASK, text) if "@" in text else text
    out = _digits(out)
    if _ADDRESS_CHARS.search(out):
        for pattern in _ADDRESSES:
            out = pattern.sub(MASK, out)
        if "小区" in out:
            out = _ESTATE.sub(_estate, out)
    return out


def _longest_first(names: Iterable[str]) -> list[str]:
    """Longer names first, so that 王小明 goes whole before 王小; ties in a fixed order."""
    return sorted(names, key=lambda n: (-len(n), n))


def _mask_names(text: str, ordered: Sequence[str]) -> str:
    for name in ordered:
        if name in text:
            text = text.replace(name, MASK)
    return text


def redact_text(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal details replaced by ***."""
    if not text:
        return text
    out = _masked(text)
    known = names_in(text) | names_in(out) | set(names)
    return _mask_names(out, _longest_first(known))


class Redactor:
    """Redacts the texts of one export; a name introduced anywhere is removed everywhere.

    The same as `redact_text(text, names)` with every name the export's texts introduce;
    the names each text introduces are found once, and a text seen before is not redone.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = set(texts)
        # Names show up only once an address is masked, too ("北京市家属区联系人张三"):
        # collect from both forms, so such a name is removed from every other text as well.
        self.names: frozenset[str] = frozenset(
            n for t in self._texts for form in {t, _masked(t)} for n in names_in(form)
        )
        self._ordered = _longest_first(self.names)
        self._done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = self._redact(text) if text else text
        return done

    def _redact(self, text: str) -> str:
        out = _masked(text)
        extra = set() if text in self._texts else names_in(text) - self.names
        if out != text:
            extra |= names_in(out) - self.names
        return _mask_names(out, _longest_first(self.names | extra) if extra else self._ordered)
