"""Privacy rules: which columns identify a person, and masking of numbers in free text.

Identifying columns (names, phone numbers, ID numbers) are removed by the loader, so no
analysis can reach them; phone and ID numbers typed into open answers are masked there too.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_identifying_header", "mask_text"]

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


def mask_text(text: str) -> str:
    """Replace ID and phone numbers inside free text with a mask.

    >>> mask_text("请联系13812345678")
    '请联系[电话已隐去]'
    """
    if not isinstance(text, str) or not text:
        return text
    out = _ID_RE.sub("[证件号已隐去]", text.translate(_FULLWIDTH_DIGITS))
    out = _MOBILE_RE.sub("[电话已隐去]", out)
    return _LANDLINE_RE.sub("[电话已隐去]", out)
