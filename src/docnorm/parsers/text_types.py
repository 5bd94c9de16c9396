"""Element types without a language model.

unstructured types each text block (narrative text, title, plain text) with spaCy: sentence splits,
word tokens and part-of-speech tags of every block. On an HTML filing that is 97 % of the parse
time, and docnorm reads the type only to find headings in clinical summaries (a ``Title`` among
the first elements, a ``ListItem``). The same decisions are made here from regular expressions and
a verb list: element boundaries and texts are untouched (offsets and the published tables do not
change), and on 78 dev and example documents 96.5 % of types come out the same (docs/benchmarks.md).

``install`` points unstructured's typing functions at these; it is called once per process by the
parser adapter, before any document is partitioned.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")
_AUXILIARIES = frozenset(
    "is are was were be been being am has have had do does did shall will may must can should would could "
    "isn't aren't wasn't weren't hasn't haven't doesn't don't didn't won't can't shouldn't".split()
)
_VERBS = frozenset(
    "accept agree allow apply assign become begin bring call cause change come complete consent continue cover "
    "deliver deny describe determine develop disclose elect enter expire extend feel find follow get give go grant "
    "help hold include indemnify increase keep know leave let look make mean meet need notify obtain occur offer "
    "operate own pay perform permit present prevent provide receive recommend reduce refer remain renew report "
    "represent require reside return review run say see seem sell serve set show sign start state stop submit "
    "take tell terminate think transfer treat try turn understand use want warrant work write".split()
)


def sent_tokenize(text: str) -> list[str]:
    """Sentences: split after ., ! or ? followed by a capital letter or digit."""
    return [part for part in _SENTENCE_END.split(text.strip()) if part] or [text]


def word_tokenize(text: str) -> list[str]:
    """Words and punctuation marks."""
    return _WORD.findall(text)


def pos_tag(text: str) -> list[tuple[str, str]]:
    """Each token tagged ``VB`` when it reads as a verb, else ``NN`` (unstructured asks only for verbs)."""
    return [(word, "VB" if _is_verb(word.lower()) else "NN") for word in word_tokenize(text)]


def _is_verb(word: str) -> bool:
    if word in _AUXILIARIES or word in _VERBS:
        return True
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and word[: -len(suffix)] in _VERBS:
            return True
    return len(word) > 5 and word.endswith(("ed", "ing"))


def install() -> None:
    """Make unstructured's text typing use these functions (idempotent)."""
    from unstructured.partition import text_type

    text_type.sent_tokenize = sent_tokenize
    text_type.word_tokenize = word_tokenize  # type: ignore[assignment]
    text_type.pos_tag = pos_tag  # type: ignore[assignment]
