"""Mandarin G2P: pypinyin (phrase-aware, so heteronyms like 长 follow their word; tone sandhi on) ->
IPA initial + final-with-tone. Hanzi (simplified or traditional), tone-number and tone-mark pinyin."""
from __future__ import annotations

from functools import lru_cache

from .phonemes import PINYIN_FINALS, PINYIN_INITIALS, Syllable

_DIGITS = "零一二三四五六七八九"


def number_to_hanzi(digits: str, digitwise: bool = False) -> str:
    """'2024' -> '二千零二十四'; digit by digit for years, long numbers and leading zeros."""
    if digitwise or len(digits) > 8 or (len(digits) > 1 and digits[0] == "0"):
        return "".join(_DIGITS[int(c)] for c in digits)
    n = int(digits)
    if n == 0:
        return "零"
    if n >= 10000:
        hi, lo = divmod(n, 10000)
        rest = _under_10k(lo) if lo else ""
        return _under_10k(hi) + "万" + ("零" + rest if 0 < lo < 1000 else rest)
    return _under_10k(n)


def _under_10k(n: int) -> str:
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d:
            if zero and out:
                out += "零"
            out += ("" if (name == "十" and d == 1 and not out) else _DIGITS[d]) + name
            zero = False
        elif out:
            zero = True
    return out


def pinyin_syllable(p: str) -> Syllable:
    """One pinyin syllable in tone-number form ('zhang3', 'lve4', 'ni') -> Syllable."""
    from pypinyin.contrib.tone_convert import to_finals_tone3, to_initials, to_tone3

    t3 = to_tone3(p.lower().replace("ü", "v").replace("u:", "v"), neutral_tone_with_five=True)
    if not t3[-1:].isdigit():
        t3 += "5"
    ini = to_initials(t3, strict=True)
    fin = to_finals_tone3(t3, strict=True, neutral_tone_with_five=True)
    if not fin or fin[:-1] not in PINYIN_FINALS:  # interjections like "hm", "ng": the whole syllable is the nucleus
        fin, ini = t3, ""
    phones = ((PINYIN_INITIALS[ini],) if ini else ()) + (fin,)
    return Syllable(phones, len(phones) - 1, int(fin[-1]))


@lru_cache(maxsize=65536)
def hanzi_syllables(text: str) -> tuple[Syllable, ...]:
    """Pinyin of a run of hanzi, read as a phrase (context decides heteronyms; 一/不/third-tone sandhi)."""
    from pypinyin import Style, lazy_pinyin

    pys = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True, errors="ignore")
    if len(pys) != len(text):
        pys = [(lazy_pinyin(c, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore") or [""])[0] for c in text]
    return tuple(pinyin_syllable(p) for p in pys if p)


_INITIAL_OF = {v: k for k, v in PINYIN_INITIALS.items()}
_ZERO_INITIAL = {"i": "yi", "in": "yin", "ing": "ying", "ia": "ya", "ie": "ye", "iao": "yao", "ian": "yan",
                 "iang": "yang", "iong": "yong", "iou": "you", "u": "wu", "ua": "wa", "uo": "wo", "uai": "wai",
                 "uei": "wei", "uan": "wan", "uen": "wen", "uang": "wang", "ueng": "weng", "v": "yu", "ve": "yue",
                 "van": "yuan", "vn": "yun"}
_AFTER_INITIAL = {"iou": "iu", "uei": "ui", "uen": "un"}


def to_pinyin(syl: Syllable) -> str:
    """Tone-number pinyin spelling of a Mandarin syllable from the inventory ('ʈʂ' + 'ang3' -> 'zhang3')."""
    final = syl.phonemes[-1]
    fin, tone = final[:-1], final[-1]
    ini = _INITIAL_OF.get(syl.phonemes[0], "") if len(syl.phonemes) > 1 else ""
    if not ini:
        return _ZERO_INITIAL.get(fin, fin) + tone
    fin = _AFTER_INITIAL.get(fin, fin)
    if ini in ("j", "q", "x") and fin.startswith("v"):
        fin = "u" + fin[1:]
    return ini + fin + tone
