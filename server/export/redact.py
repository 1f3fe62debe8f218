"""Removing a visitor's personal details from free text, pure (DOMAIN.md: they are confidential).

What is removed, and replaced by ``***``:

* numbers of 7 or more digits, written whole or in groups joined by spaces or dashes
  (full-width digits too): 18-digit PRC ID numbers with an ``X`` (or ``x``) check digit,
  also as ``110101 19900101 123X``; 15-digit old IDs; mobile numbers, with or without
  ``+86``/``86-`` (``138 1234 5678``, ``138-1234-5678``); landlines with their area code
  (``(010)12345678``, ``0755-1234567``, ``021 1234 5678``) and extension (``转123``);
  bank cards. Dates (2026-01-31, 2026年1月31日), times (14:30), ranges of years
  (2020-2023) and counts (35人, "120 110") stay;
* e-mail addresses;
* addresses: a chain of 省/自治区/市/区/县/镇/乡/村 names, a street (路/街/道/巷/弄) with
  its number (号), a housing estate (小区) with its building and room (栋/幢/单元/室);
* names after a marker: a role the plans use (来访人员, 信访人, 当事人, 家属, 联系人, 代表,
  陪同人员, 患者, 伤者, 嫌疑人, 报警人, 目击者 …), a kin word (儿子, 其妻 …) or a field
  (姓名, 名字), also together (来访人姓名, 家属的姓名是). Without a colon or a field, a name
  must start with a surname (家属王芳 is a name, 家属已到场 is not) or hold a middle dot
  (阿依古丽·买买提); with one, 2 to 4 Han characters that are not an ordinary word will do
  (患者：小红, but not 家属：暂无). Lists (王芳、李强和张伟), brackets (【来访人】,
  来访人（女，45岁）李秀英, 王小明（来访人）) and latin names after a Han marker are
  followed; a phone after 联系人电话 is not a name. In English: "name:", "visitor:",
  "contact person:", "patient:", "name is" … and capitalised words; Mr./Ms. and a
  capitalised name; a latin name and each of its words go as whole words (Li of "Li Wei"
  is masked, the Li of "Limit" is not). A name followed directly by other words may take
  some of them along (王小明情绪 -> ***绪). A name found once is removed wherever else it
  appears in the same export.

Names written with no marker cannot be told from other words: the full export is for
the roles allowed to ask for it; everything else gets this redaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

MASK = "***"

_HAN = r"\u4e00-\u9fff"

# --- numbers ------------------------------------------------------------------------------
_DASH = "\\-‐‑–—－"
# A further group of digits: after a dash (with or without spaces) 3 digits or more, after a
# space alone 4 or more (or 3 and an X), so that 14:30, 35人 and "120 110" never join a number.
_GROUP = rf"(?:[ \u3000]?[{_DASH}][ \u3000]?\d{{3,}}|[ \u3000](?:\d{{4,}}|\d{{3}}(?=[XxＸｘ])))"
_BANK_CARD = r"\d{4}(?:[ \-]\d{4}){3,4}(?:[ \-]\d{1,3})?"
# What may come before the first group: a country code or an area code in brackets.
_LEAD_IN = r"(?:[(（]\s?[+＋]?\d{2,4}\s?[)）]|[+＋]\s?\d{1,3}|86(?=[ \-]?1[3-9]))[ \u3000\-]?"
_EXTENSION = r"\s?(?:转|分机|ext\.?|x|#)\s?\d{1,6}"
_GROUPED = rf"(?:{_LEAD_IN}\d+|\d{{3,}}){_GROUP}*(?:{_EXTENSION}|\s?[XxＸｘ])?"
# (the lookahead first lets the engine skip to where a number may start)
_NUMBER = re.compile(rf"(?=[\d(（+＋])(?<!\d)(?:{_BANK_CARD}|{_GROUPED})")
_YEARS = re.compile(rf"(?:19|20)\d\d\s?[{_DASH}~至]\s?(?:19|20)\d\d")
_MIN_DIGITS = 7
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")

# --- addresses ----------------------------------------------------------------------------
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

# --- names: markers -----------------------------------------------------------------------
_ROLES = (
    "来访人员 来访人 来访者 上访人员 上访人 上访者 信访人 当事人 申请人 投诉人 举报人 反映人 "
    "求助人 报警人 报案人 目击者 目击人 证人 监护人 联系人 家属 亲属 陪同就医人员 陪同人员 "
    "陪同人 代表 患者 伤者 伤员 病人 死者 嫌疑人 肇事者 肇事人 涉事人员 涉事人 "
    # kin: 患者儿子张强, 其妻李梅
    "丈夫 妻子 儿子 女儿 父亲 母亲 爱人 配偶 孙子 孙女 其子 其女 其妻 其夫 其父 其母 "
    "之子 之女 之妻 之夫 之父 之母"
)
_FIELDS = "姓名 名字 全名 真名 名叫 叫做"
_CONTACT = "联系电话 联系方式 手机号 手机 电话"  # 联系人电话：138… is a phone, not a name
_COPULA = "自称 名为 是 为 系 叫 称"


def _words(text: str) -> list[str]:
    return text.split()


def _either(words: str) -> str:
    return "|".join(sorted(_words(words), key=len, reverse=True))  # longest first


# A marker: a role or a field; after a role, a field or a contact word (来访人姓名, 联系人电话)
# may follow, and after either a copula (是, 叫). Plain words first, so the engine can skip to
# where one starts; the rest is matched where one was found.
_MARKER = re.compile(_either(_ROLES + " " + _FIELDS))
_FIELD_SET = frozenset(_words(_FIELDS))
_AFTER_ROLE = re.compile(
    rf"(?:的?(?P<field>{_either(_FIELDS)})|[及和、]?(?:{_either(_CONTACT)}))?(?:{_either(_COPULA)})?"
)
_AFTER_FIELD = re.compile(rf"(?:{_either(_COPULA)})?")
# After a marker: a colon or a closing bracket labels what follows (【来访人】王小明); an
# aside in brackets may hold the name (来访人（王小明）) or come before it (（女，45岁）李秀英).
_OPEN, _CLOSE = '（(【\\[「『“"', '）)】\\]」』”"'
_LEAD = re.compile(
    rf"\s*(?P<label>[:：{_CLOSE}]\s*[:：]?)?\s*"
    rf"(?:[{_OPEN}](?P<aside>[^{_CLOSE}]{{0,16}})[{_CLOSE}]\s*(?P<colon>[:：])?\s*)?"
)
_LEAD_MARKS = frozenset(f":：{_OPEN}{_CLOSE}".replace("\\", ""))  # and \s: what _LEAD takes
# a bracketed role, after its name: 王小明（来访人）
_BRACKETED_ROLE = re.compile(rf"[（(](?:{_either(_ROLES)})[)）]")
_RUN_BEFORE = re.compile(rf"[{_HAN}]{{2,4}}$")

# --- names: what a name looks like ------------------------------------------------------
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤乔洪牛聂樊葛柴伍殷耿庞倪柳俞季阎梅骆颜穆牟翟卓屈褚裴詹饶卞阮邬"
    "滕闵钮桂冉刁贝池巫麦敖隋蒲喻艾邝涂鲍晏柯鄢晋仇戚苟奚邸楚郎缪戈宫廉祝岳甘佘"
)
COMPOUND_SURNAMES = frozenset(
    _words(
        "欧阳 上官 司马 司徒 诸葛 东方 皇甫 令狐 尉迟 宇文 轩辕 长孙 慕容 端木 夏侯 公孙 独孤 南宫"
    )
)
# What follows a marker and is not a name: words that start with a surname (马上, 曾经,
# 张贴, 高烧), and the words and characters that start an ordinary phrase (已, 未, 暂无,
# 本人, 电话, 妻子 …). A candidate that starts with one of these names nobody.
_NOT_NAME_WORDS = frozenset(
    _words(
        "马上 马路 于是 于今 于昨 于明 于当 于上 于下 于本 于前 于凌 于早 于晚 于中 于次 于此 于该 "
        "于某 曾经 曾多 曾于 曾到 曾在 曾来 曾向 曾被 曾因 曾与 曾去 曾有 曾是 曾几 高烧 高声 高喊 "
        "高呼 高度 高兴 高血 高空 高处 张贴 张望 张口 张开 何时 何处 任何 任意 万分 万一 方才 方便 "
        "方面 方式 许多 许诺 陈述 周围 周末 周边 陆续 杜绝 谢绝 严重 严厉 黎明 付款 付费 莫名 胡闹 "
        "胡乱 胡言 顾及 顾虑 苏醒 余下 郑重 唐突 徐徐 白天 石块 石头 金额 钱款 钱财 武力 武器 江边 "
        "毛巾 程序 黄昏 夏季 甘心 祝福 宫内 戴着 孔明 郎中 柴刀 "
        "住址 地址 电话 手机 性别 年龄 工作 单位 联系 证件 籍贯 民族 职业 学历 户籍 身份 "
        "现场 男性 女性 男子 女子 丈夫 妻子 儿子 女儿 父亲 母亲 爱人 配偶 孙子 孙女 老伴 家人 "
        "本人 暂无 不详 未知 匿名 同上 见附 待查 待核 拒绝 要求 表示 反映 到场 同意 希望"
    )
)
_NOT_NAME_CHARS = frozenset(
    "已未不没无均都正在称等其他她它该此这那每各另有由经被将对与和及或并也还又再仍才就即便刚今昨说"
    "请让需能会可所的了着过之某男女约共多数几一二三四五六七八九十两人情"
)
_DOTS = "·・•‧"
_DOTTED = re.compile(rf"[{_HAN}]{{1,8}}(?:[{_DOTS}][{_HAN}]{{1,8}}){{1,3}}")
_DOT_SET = frozenset(_DOTS)
_RUN = re.compile(rf"[{_HAN}]{{1,12}}")
_JOIN = re.compile("[和及与]")  # 王芳和李强: a second name inside the run
_LIST = re.compile(r"\s*([、/／，,；;和及与])\s*")
_LIST_MARKS = "、/／和及与"  # what joins names of one list; a comma may end the list
_AFTER_NAME = re.compile("[已未不没在被等的了称说也都又还就将把从向对]")  # rarely in a name
_MIN_NAME = 2

# English: a marker, a colon or "is", and capitalised words (or a Han name)
_EN_MARKERS = (
    r"full name|name|visitors?|family(?: members?)?|relatives?|contact(?: person)?|guardian|"
    r"patient|injured|complainant|petitioner|applicant|caller|witness|suspect|"
    r"representatives?|escort|companion|next of kin"
)
_CAP_NAME = r"[A-Z][A-Za-z'\-]*(?:[ \t]+[A-Z][A-Za-z'\-]*){0,2}"
_EN_NAMES = rf"{_CAP_NAME}(?:\s*(?:,|&|\band\b)\s*{_CAP_NAME})*"
_EN_MARKER = re.compile(
    rf"\b(?i:{_EN_MARKERS})(?:'s)?\s*(?:[:：]|\s(?i:is|was|named|called)\b)\s*"
    rf"(?:(?P<latin>{_EN_NAMES})|(?=[{_HAN}]))"
)
_HONORIFIC = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Madam)\.?\s+({_CAP_NAME})")
_LATIN_NAME = re.compile(_CAP_NAME)
_EN_SPLIT = re.compile(r"\s*(?:,|&|\band\b)\s*")
_EN_NOT_NAMES = frozenset({"Unknown", "None", "Anonymous", "Refused", "Withheld", "Not", "No"})

# Quick tests that let a text skip the passes that cannot match in it. Each is implied by
# every match of the patterns it guards, and a mask (***) never adds what a test looks for.
_ADDRESS_CHARS = re.compile("[省区市县镇乡村号栋幢单室层楼]")  # every address pattern needs one
_LATIN = re.compile("[A-Za-z]")  # every English marker and latin name has one
_BRACKETED = re.compile("[（(]")  # a name before a bracketed role needs one


# --- numbers, e-mail, addresses ---------------------------------------------------------
def _number(m: re.Match[str]) -> str:
    """A long enough number masked; a range of years (2020-2023) kept."""
    if len(m[0]) < _MIN_DIGITS:  # most matches: a year, a room, a count
        return m[0]
    digits = sum(map(str.isdigit, m[0]))
    return m[0] if digits < _MIN_DIGITS or _YEARS.fullmatch(m[0]) else MASK


def _estate(m: re.Match[str]) -> str:
    return m[0] if m[1].endswith(_GENERIC) or not m[1] else MASK


def _masked(text: str) -> str:
    """Numbers, e-mail addresses and postal addresses replaced (names are left to the caller)."""
    out = _EMAIL.sub(MASK, text) if "@" in text else text
    out = _NUMBER.sub(_number, out)
    if _ADDRESS_CHARS.search(out):
        for pattern in _ADDRESSES:
            out = pattern.sub(MASK, out)
        if "小区" in out:
            out = _ESTATE.sub(_estate, out)
    return out


# --- names ------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _prefixes(name: str, sep: str = "") -> frozenset[str]:
    """A name and its shorter beginnings: 王小明情 may be 王小明 followed by 情绪."""
    parts = name.split(sep) if sep else list(name)
    found = {sep.join(parts[:n]) for n in range(1, len(parts) + 1)}
    return frozenset(p.strip() for p in found if len(p.strip()) >= _MIN_NAME)


def _surname_first(word: str) -> bool:
    """Whether a run of Han characters starts like a name: 王芳, 欧阳娜娜, not 马上 or 已."""
    if len(word) < _MIN_NAME or _not_a_name(word):
        return False
    return word[0] in SURNAMES or word[:2] in COMPOUND_SURNAMES


def _not_a_name(word: str) -> bool:
    return word[0] in _NOT_NAME_CHARS or word[:2] in _NOT_NAME_WORDS


def _name_end(word: str) -> int:
    """How far a surname-first run may be a name: four characters, up to a word that
    rarely ends one (张强已赶到 -> 张强), or to the end of a pseudonym (王某某到场 -> 王某某)."""
    if word[1] == "某":
        return 3 if word[2:3] == "某" else 2
    after = _AFTER_NAME.search(word, _MIN_NAME, 4)
    return after.start() if after else 4


def _dotted(name: str) -> frozenset[str]:
    """阿依古丽·买买提 whole, each part, and the shorter endings of its last part."""
    parts = re.split(f"[{_DOTS}]", name)
    head = name[: len(name) - len(parts[-1])]
    found = {head + parts[-1][:k] for k in range(1, len(parts[-1]) + 1)}
    found |= {p for p in parts[:-1] if len(p) >= _MIN_NAME} | _prefixes(parts[-1][:4])
    return frozenset(found)


def _name_at(text: str, p: int, strong: bool) -> tuple[frozenset[str], int]:
    """The names a name beginning at p holds (none: empty), and where the text goes on.

    `strong`: a colon or a field introduced it, so a short run of Han characters or a
    latin name will do; else it must start with a surname (or hold a middle dot).
    """
    run = _RUN.match(text, p)
    if run is None:
        latin = _LATIN_NAME.match(text, p) if strong else None
        return (_english(latin[0]), latin.end()) if latin else (frozenset(), p)
    if text[run.end() : run.end() + 1] in _DOT_SET:
        dotted = _DOTTED.match(text, p)
        if dotted:
            return _dotted(dotted[0]), dotted.end()
    names, used = _word_names(run[0], strong)
    return names, p + used


@lru_cache(maxsize=8192)
def _word_names(word: str, strong: bool) -> tuple[frozenset[str], int]:
    """The names a run of Han characters begins with, and how much of the run they take."""
    if _surname_first(word):
        join = _JOIN.search(word, _MIN_NAME, 5)  # 王芳和李强: a second name follows
        if join and _surname_first(word[join.end() :]):
            return _prefixes(word[: join.start()]), join.start()
        return _prefixes(word[: _name_end(word)]), len(word)
    if strong and _MIN_NAME <= len(word) <= 4 and not _not_a_name(word):
        return frozenset({word}), len(word)
    return frozenset(), 0


def _names_from(text: str, p: int, strong: bool) -> set[str]:
    """The name at p and the others listed after it: 王芳、李强和张伟; 张三，李四."""
    found: set[str] = set()
    while True:
        names, end = _name_at(text, p, strong)
        if not names:
            return found
        found |= names
        joint = _LIST.match(text, end)
        if joint is None:
            return found
        # after a comma, only what starts like a name: 张三，李四 but not 小红，发热
        p, strong = joint.end(), strong and joint[1] in _LIST_MARKS


def _markers(text: str) -> Iterator[tuple[int, bool]]:
    """Where each marker ends, and whether it holds a field (姓名) that makes a name certain."""
    pos = 0
    while (m := _MARKER.search(text, pos)) is not None:
        field = m[0] in _FIELD_SET
        tail = (_AFTER_FIELD if field else _AFTER_ROLE).match(text, m.end())
        assert tail is not None  # every part of a tail is optional
        pos = tail.end()
        yield pos, field or tail["field"] is not None


def _starts(text: str, end: int, strong: bool) -> Iterator[tuple[int, bool]]:
    """Where a name may begin after a marker, and whether it is labelled (strong)."""
    lead = _LEAD.match(text, end)
    assert lead is not None  # every part of _LEAD is optional
    strong = strong or lead["label"] is not None
    if lead["aside"] is not None:
        yield lead.start("aside"), False
        strong = strong or lead["colon"] is not None
    yield lead.end(), strong


def _han_names(text: str) -> set[str]:
    found: set[str] = set()
    for end, strong in _markers(text):
        after = text[end : end + 1]
        if after and not after.isspace() and after not in _LEAD_MARKS:  # 来访人王小明, 家属已
            found |= _names_from(text, end, strong)
            continue
        for p, labelled in _starts(text, end, strong):
            found |= _names_from(text, p, labelled)
    if _BRACKETED.search(text):
        for m in _BRACKETED_ROLE.finditer(text):
            before = _RUN_BEFORE.search(text, max(0, m.start() - 4), m.start())
            word = before[0] if before else ""
            found |= {word[i:] for i in range(len(word) - 1) if _surname_first(word[i:])}
    return found


def _english(names: str) -> frozenset[str]:
    """Each latin name of a list, and each of its words: "Li Wei", then "Wei's daughter"."""
    found: set[str] = set()
    for name in _EN_SPLIT.split(names):
        if name and name.split()[0] not in _EN_NOT_NAMES:
            found |= _prefixes(name, " ") | {w for w in name.split() if len(w) >= _MIN_NAME}
    return frozenset(found)


def _english_names(text: str) -> set[str]:
    found: set[str] = set()
    for m in _EN_MARKER.finditer(text):
        found |= _english(m["latin"]) if m["latin"] else _names_from(text, m.end(), True)
    for m in _HONORIFIC.finditer(text):
        found |= _english(m[1])
    return found


def names_in(text: str) -> set[str]:
    """The names a marker introduces in this text."""
    found = _han_names(text)
    if _LATIN.search(text):  # else no English marker nor latin name can match
        found |= _english_names(text)
    return found


# --- the whole text ---------------------------------------------------------------------
def _longest_first(names: Iterable[str]) -> list[str]:
    """Longer names first, so that 王小明 goes whole before 王小; ties in a fixed order."""
    return sorted(names, key=lambda n: (-len(n), n))


def _mask_names(text: str, ordered: Sequence[str]) -> str:
    for name in ordered:
        if name in text:
            text = _whole_word(name).sub(MASK, text) if name.isascii() else text.replace(name, MASK)
    return text


@lru_cache(maxsize=1024)
def _whole_word(name: str) -> re.Pattern[str]:
    """A latin name as a word: Li is masked in "Li Wei", not in "Limit"."""
    return re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])")


def redact_text(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal details replaced by ***."""
    if not text:
        return text
    out = _masked(text)
    known = {n for form in _forms(text, out) for n in names_in(form)} | set(names)
    return _mask_names(out, _longest_first(known))


def _forms(text: str, out: str) -> set[str]:
    """Where to look for names: the text, and its masked form once an address was masked
    ("北京市家属区联系人张三": the marker 家属 hides 联系人张三 until 北京市家属区 goes).
    A masked number or e-mail address changes nothing: *** starts no name and joins none."""
    return {text, out} if out != text and _ADDRESS_CHARS.search(text) else {text}


class Redactor:
    """Redacts the texts of one export; a name introduced anywhere is removed everywhere.

    The same as `redact_text(text, names)` with every name the export's texts introduce;
    the names each text introduces are found once, and a text seen before is not redone.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._masked = {t: _masked(t) for t in texts}
        self.names: frozenset[str] = frozenset(
            n for t, out in self._masked.items() for form in _forms(t, out) for n in names_in(form)
        )
        self._ordered = _longest_first(self.names)
        self._by_head = _by_head(self.names)
        self._done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = self._redact(text) if text else text
        return done

    def _redact(self, text: str) -> str:
        out = self._masked.get(text)
        extra: set[str] = set()
        if out is None:  # a text the export did not announce: its own names too
            out = _masked(text)
            extra = {n for form in _forms(text, out) for n in names_in(form)} - self.names
        if len(self._ordered) <= len(out) and not extra:  # few names: try each
            return _mask_names(out, self._ordered)
        return _mask_names(out, _longest_first(_present(out, self._by_head) | extra))


def _by_head(names: Iterable[str]) -> dict[str, list[str]]:
    """The names by their first two characters (every name has two or more)."""
    heads: dict[str, list[str]] = {}
    for name in names:
        heads.setdefault(name[:_MIN_NAME], []).append(name)
    return heads


def _present(text: str, by_head: dict[str, list[str]]) -> set[str]:
    """The names that occur in the text: masking one never makes another appear.

    A name holds no *, so after a replacement it can only lie within what was there
    before: checking the text before any name is replaced is enough, and looking up
    their first two characters skips the thousands of names of an export it cannot hold.
    """
    heads = {text[i : i + _MIN_NAME] for i in range(len(text) - 1)}
    return {n for h in heads & by_head.keys() for n in by_head[h] if n in text}
