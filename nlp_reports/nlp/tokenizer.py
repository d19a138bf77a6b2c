"""jieba-compatible word segmentation and POS tags from the project's own tokenizer instance.

Two backends give (nearly) the same tokens:

- ``"rjieba"`` (default, fast path): bindings of jieba-rs, about 20 times faster than jieba.
- ``"jieba"`` (reference): a private ``jieba.Tokenizer()`` whose prefix dictionary is built in memory.

Neither touches jieba's global default instance (``jieba.dt``) nor writes jieba's shared cache file
(``<tmp>/jieba.cache``): several processes, users or library versions can then never see each other's
words. Both load the same domain user dictionary (``data/userdict.txt``, ``word freq tag`` per line,
e.g. ``依申请公开 5000 n``), so that 政务公开 terms stay whole:

>>> Tokenizer().cut("依申请公开办理情况")
['依申请公开', '办理', '情况']

Every token is a substring of the input and the tokens concatenate to the input exactly (whitespace
and punctuation are tokens of their own), so offsets can be recovered by accumulation.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp_reports.errors import ModelError

BACKENDS = ("rjieba", "jieba")
USERDICT_PATH = Path(__file__).resolve().parent / "data" / "userdict.txt"

__all__ = [
    "BACKENDS",
    "USERDICT_PATH",
    "Tokenizer",
    "UserWord",
    "boundary_disagreement",
    "default_tokenizer",
    "read_userdict",
    "token_boundaries",
]


@dataclass(frozen=True, slots=True)
class UserWord:
    """One user-dictionary entry: ``word freq tag``."""

    word: str
    freq: int
    tag: str


def read_userdict(path: str | Path) -> tuple[UserWord, ...]:
    """Parse a ``word freq tag`` dictionary (UTF-8, one entry a line, blank lines ignored).

    Raises :class:`ModelError` naming the file and line for a missing file, a malformed line,
    a non-positive frequency or a duplicate word.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError(path, f"cannot read user dictionary ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(path, f"user dictionary is not UTF-8 (byte {exc.start})") from exc
    words: list[UserWord] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isascii() or not parts[2].isalpha():
            raise ModelError(path, f"line {lineno}: expected 'word freq tag', got {line!r}")
        word, freq, tag = parts[0], int(parts[1]), parts[2]
        if freq <= 0:
            raise ModelError(path, f"line {lineno}: frequency must be positive, got {freq}")
        if word in seen:
            raise ModelError(path, f"line {lineno}: duplicate word {word!r}")
        seen.add(word)
        words.append(UserWord(word, freq, tag))
    if not words:
        raise ModelError(path, "user dictionary is empty")
    return tuple(words)


def _sha256_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelError(path, f"cannot read user dictionary ({exc.strerror or exc})") from exc


class _RjiebaEngine:
    """rjieba.Jieba instance with the user words added."""

    def __init__(self, words: Sequence[UserWord]):
        import rjieba

        self._jieba = rjieba.Jieba()
        for w in words:
            # suggest_freq: the least frequency that keeps the word whole given the words added so far;
            # a lower file frequency would otherwise make the word split worse than without the dictionary.
            self._jieba.add_word(w.word, max(w.freq, self._jieba.suggest_freq(w.word)), w.tag)

    def cut(self, text: str, hmm: bool) -> list[str]:
        return self._jieba.cut(text, hmm)

    def tag(self, text: str, hmm: bool) -> list[tuple[str, str]]:
        return [(w, t) for w, t in self._jieba.tag(text, hmm)]


class _JiebaEngine:
    """A private jieba.Tokenizer whose prefix dictionary is built in memory (no cache file anywhere)."""

    def __init__(self, words: Sequence[UserWord]):
        import jieba
        import jieba.posseg

        tk = jieba.Tokenizer()
        # Build the prefix dict ourselves instead of tk.initialize(): initialize() reads and writes a
        # cache file in a shared temp dir (and logs to stderr); the build costs the same either way.
        tk.FREQ, tk.total = tk.gen_pfdict(tk.get_dict_file())
        tk.initialized = True
        for w in words:
            # jieba's add_word/load_userdict overwrite the frequency: never lower it below what keeps
            # the word whole (suggest_freq) or below the main dictionary's own frequency.
            tk.add_word(w.word, max(w.freq, tk.suggest_freq(w.word, tune=False)), w.tag)
        self._tk = tk
        self._pos = jieba.posseg.POSTokenizer(tk)

    def cut(self, text: str, hmm: bool) -> list[str]:
        return self._tk.lcut(text, HMM=hmm)

    def tag(self, text: str, hmm: bool) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in self._pos.lcut(text, HMM=hmm)]


class Tokenizer:
    """jieba-compatible segmenter with the domain user dictionary; picklable and lazily initialised.

    Parameters
    ----------
    backend : "rjieba" (fast path) or "jieba" (reference implementation).
    userdict : path of a ``word freq tag`` file; None means the packaged ``data/userdict.txt``.
    hmm : use jieba's HMM for words not in the dictionary.

    Examples
    --------
    >>> tok = Tokenizer()
    >>> tok.cut("政务新媒体")
    ['政务新媒体']
    >>> tok.tag("行政复议")
    [('行政复议', 'n')]
    """

    def __init__(self, backend: str = "rjieba", userdict: str | Path | None = None, hmm: bool = True):
        if backend not in BACKENDS:
            raise ValueError(f"unknown tokenizer backend {backend!r}; expected one of {BACKENDS}")
        self.backend = backend
        self.userdict = userdict
        self.hmm = hmm
        self._engine: _RjiebaEngine | _JiebaEngine | None = None
        self._checksum: str | None = None
        self._lock = threading.Lock()

    @property
    def userdict_path(self) -> Path:
        return USERDICT_PATH if self.userdict is None else Path(self.userdict)

    @property
    def dictionary_checksum(self) -> str:
        """sha256 of the user dictionary file (for run manifests)."""
        if self._checksum is None:
            self._checksum = _sha256_file(self.userdict_path)
        return self._checksum

    def _get_engine(self) -> _RjiebaEngine | _JiebaEngine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    words = read_userdict(self.userdict_path)
                    cls = _RjiebaEngine if self.backend == "rjieba" else _JiebaEngine
                    self._engine = cls(words)
                engine = self._engine
        return engine

    def load(self) -> Tokenizer:
        """Build the engine now (otherwise done on first use); returns self."""
        self._get_engine()
        return self

    def cut(self, text: str) -> list[str]:
        """Tokens of ``text``; ``"".join(tokens) == text``."""
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer.cut expects str, got {type(text).__name__}")
        if not text:
            return []
        return self._get_engine().cut(text, self.hmm)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, jieba POS tag) pairs, e.g. ``[('依申请公开', 'n'), ('情况', 'n')]``.

        With the jieba backend the words come from ``jieba.posseg``, whose segmentation can differ
        slightly from :meth:`cut`; with rjieba they are the same as :meth:`cut`.
        """
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer.tag expects str, got {type(text).__name__}")
        if not text:
            return []
        return self._get_engine().tag(text, self.hmm)

    def __getstate__(self) -> dict[str, Any]:
        # Only the settings travel: the engine (a Rust object for rjieba) is rebuilt lazily.
        return {"backend": self.backend, "userdict": self.userdict, "hmm": self.hmm}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"Tokenizer(backend={self.backend!r}, userdict={self.userdict!r}, hmm={self.hmm!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.backend, str(self.userdict), self.hmm))


@functools.lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The per-process shared rjieba tokenizer with the packaged dictionary (never jieba's globals)."""
    return Tokenizer()


def token_boundaries(tokens: Sequence[str]) -> set[int]:
    """Character offsets where a token ends (the end of the text included)."""
    out: set[int] = set()
    pos = 0
    for tok in tokens:
        pos += len(tok)
        out.add(pos)
    return out


def boundary_disagreement(reference: Sequence[str], other: Sequence[str]) -> tuple[int, int]:
    """(boundaries found by only one of the two segmentations, boundaries found by either).

    Token-level disagreement = first / second; both segmentations must cover the same text.
    """
    a, b = token_boundaries(reference), token_boundaries(other)
    if max(a, default=0) != max(b, default=0):
        raise ValueError("segmentations cover texts of different lengths")
    return len(a ^ b), len(a | b)
