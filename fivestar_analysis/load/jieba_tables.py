"""jieba's dictionary read once, and kept in a cache file that loads quickly.

A report with open answers used to read jieba's word list (about 350,000 lines) three times
in its kernel: for the prefix dictionary (jieba's own cache), for the word-tag table that
``import jieba.posseg`` reads, and for the word sets that keep ordinary words from being
masked as names (:mod:`~fivestar_analysis.load.privacy`); then it added the campaign terms
one by one. All of it now comes from one pickle file in the user's cache folder
(``$FIVESTAR_CACHE``, else ``$XDG_CACHE_HOME/fivestar-analysis``), keyed by the jieba version,
its dictionary file and the campaign dictionary; it is rebuilt when any of them changes, and
kept in memory only when the folder cannot be written. Nothing here runs, and jieba is not
imported, for a county without open answers.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["tables", "tokenizer", "pos_tokenizer", "name_screen_words"]

_FORMAT = 1


def _domain_text() -> str:
    path = resources.files("fivestar_analysis") / "resources" / "survey" / "domain_dict.txt"
    return path.read_text(encoding="utf-8")


def _cache_folder() -> Path:
    if os.environ.get("FIVESTAR_CACHE"):
        return Path(os.environ["FIVESTAR_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fivestar-analysis"


def _key(jieba) -> str:
    dict_file = Path(jieba.dt.dictionary or jieba.DEFAULT_DICT_NAME)
    try:
        st = Path(jieba.__file__).parent.joinpath(jieba.DEFAULT_DICT_NAME).stat() \
            if jieba.dt.dictionary is None else dict_file.stat()
        stamp = f"{st.st_size}-{int(st.st_mtime)}"
    except OSError:
        stamp = "?"
    text = "|".join([str(_FORMAT), jieba.__version__, str(dict_file), stamp, _domain_text(),
                     str(pickle.HIGHEST_PROTOCOL), sys.version.split()[0]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _build(jieba) -> dict[str, Any]:
    """Every table from jieba's files (what the cache holds)."""
    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary build to stderr
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in _domain_text().splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None,
                    parts[2] if len(parts) > 2 else None)
        tk.suggest_freq(parts[0], tune=True)
    tags: dict[str, str] = {}
    ordinary, frequent = set(), set()
    with jieba.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) < 2:
                continue
            tag = parts[2] if len(parts) > 2 else ""
            if len(parts) == 3:
                tags[parts[0]] = tag
            if 2 <= len(parts[0]) <= 4:
                freq = int(parts[1])
                if freq >= 500:
                    frequent.add(parts[0])
                if freq >= 20 and not tag.startswith("nr"):
                    ordinary.add(parts[0])
    return {"freq": tk.FREQ, "total": tk.total, "tags": tags,
            "domain_tags": dict(tk.user_word_tag_tab),
            "ordinary": frozenset(ordinary), "frequent": frozenset(frequent)}


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """The prefix dictionary with the campaign terms, jieba's word tags, the name-screen sets."""
    import jieba

    path = _cache_folder() / f"jieba-{_key(jieba)}.pickle"
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - this module's own cache file
        if isinstance(data, dict) and data.get("format") == _FORMAT:
            return data
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass
    data = dict(_build(jieba), format=_FORMAT)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(data, fh, protocol=5)  # loads about 3x faster than marshal here
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder: the tables are kept for this process only
    return data


@lru_cache(maxsize=1)
def tokenizer():
    """A jieba tokenizer with the campaign dictionary, as ``Tokenizer().initialize()`` plus
    ``add_word``/``suggest_freq`` for every campaign term leaves it."""
    import jieba

    t = tables()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total = t["freq"], t["total"]
    tk.user_word_tag_tab = {}
    tk.initialized = True
    return tk


@lru_cache(maxsize=1)
def pos_tokenizer():
    """A part-of-speech tokenizer over :func:`tokenizer`, its tags jieba's plus the campaign
    terms' (``import jieba.posseg`` is made not to read the dictionary file a second time)."""
    t = tables()
    posseg = _import_posseg(t["tags"])
    pos = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
    pos.tokenizer = tokenizer()
    pos.word_tag_tab = {**t["tags"], **t["domain_tags"]}
    return pos


def _import_posseg(tags: dict[str, str]):
    """``jieba.posseg``, whose module-level tokenizer reads the word-tag table from jieba's
    dictionary file at import; it is handed an empty file and given the cached table."""
    if "jieba.posseg" in sys.modules:
        return sys.modules["jieba.posseg"]
    import jieba

    jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
    try:
        import jieba.posseg as posseg
    finally:
        del jieba.dt.get_dict_file
    posseg.dt.word_tag_tab = dict(tags)
    return posseg


def name_screen_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words of two to four characters from jieba's dictionary: ``(ordinary, frequent)``
    (see :func:`fivestar_analysis.load.privacy._dictionary`)."""
    t = tables()
    return t["ordinary"], t["frequent"]
