"""Text analysis shared by every engine: the exact matching stream of CJK bigrams and words.

The text is case-folded (full-width ASCII to ASCII, lower case; the fold keeps the length so
offsets stay valid), then every run of Han/kana/hangul characters gives one token per
character: the bigram starting at that character, or the character alone when it ends the run;
every Latin/digit word gives one token. A token's position is its ordinal in that stream, so a
CJK string of n characters is a phrase of consecutive bigrams and matches exactly where those
characters stand together. Punctuation and spaces give no token; the slide's fields are joined
with FIELD_SEP, which adds a position gap so no phrase spans two fields.

A query literal becomes ``literal_items``: the tokens it must match in a row, the last one
possibly a prefix (a lone last character may begin a bigram in the text). Each engine turns
those items into its own queries (whoosh phrases, tantivy phrase queries, PostgreSQL tsquery
plus a LIKE over ``normalized``), so every engine matches exactly the same slides.
"""

from __future__ import annotations

import re
from collections import defaultdict

CJK = (
    "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
WORD = "0-9a-z\u00b5\u00df-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
FIELD_SEP = "\x1f"
FIELD_GAP = 8
SEP_TOKEN = "|"  # the token an engine without position gaps puts between fields

_PIECE_RE = re.compile(f"([{CJK}]+)|([{WORD}]+)|{FIELD_SEP}")
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Lower-case and map full-width ASCII to ASCII, keeping the length (offsets stay valid)."""
    folded = text.translate(_FOLD).lower()
    if len(folded) == len(text):
        return folded
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_FOLD))


def pieces(text: str) -> list[tuple[bool, str]]:
    """The (is_cjk, string) runs of a folded text, in order; punctuation dropped."""
    return [(bool(m[1]), m[1] or m[2]) for m in _PIECE_RE.finditer(fold(text)) if m[1] or m[2]]


def gram_tokens(text: str):
    """Yield (token, position, startchar, endchar) of the matching stream, in order."""
    pos = 0
    for m in _PIECE_RE.finditer(fold(text)):
        run, start = m[1], m.start()
        if run:
            for i in range(len(run) - 1):
                yield run[i : i + 2], pos + i, start + i, start + i + 2
            pos += len(run)
            yield run[-1], pos - 1, m.end() - 1, m.end()
        elif m[2]:
            yield m[2], pos, start, m.end()
            pos += 1
        else:
            pos += FIELD_GAP


def gram_positions(text: str) -> dict[str, list[int]]:
    """Token -> ascending positions; the hot path of indexing (same stream as gram_tokens)."""
    out: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    for m in _PIECE_RE.finditer(fold(text)):
        run = m[1]
        if run:
            for i in range(len(run) - 1):
                out[run[i : i + 2]].append(pos + i)
            pos += len(run)
            out[run[-1]].append(pos - 1)
        elif m[2]:
            out[m[2]].append(pos)
            pos += 1
        else:
            pos += FIELD_GAP
    return out


def gram_terms(text: str) -> list[str]:
    """The matching stream as a list of tokens in order, SEP_TOKEN between fields: for an
    engine that numbers tokens itself (consecutive tokens stand at consecutive positions)."""
    out: list[str] = []
    for m in _PIECE_RE.finditer(fold(text)):
        run = m[1]
        if run:
            out += [run[i : i + 2] for i in range(len(run) - 1)]
            out.append(run[-1])
        else:
            out.append(m[2] or SEP_TOKEN)
    return out


def normalized(text: str) -> str:
    """The text as its runs and words, each field " a b c " (single spaces), fields joined by
    FIELD_SEP: a literal matches a slide exactly when ``literal_pattern`` is in this string."""
    return FIELD_SEP.join(
        " " + " ".join(s for _, s in pieces(field)) + " " for field in text.split(FIELD_SEP)
    )


def literal_items(text: str) -> list[tuple[str, bool]]:
    """The (token, match as prefix) items a query literal matches in a row; [] if nothing
    searchable. Only a lone CJK character that ends the literal is a prefix."""
    items: list[tuple[str, bool]] = []
    runs = pieces(text)
    for i, (cjk, s) in enumerate(runs):
        last = i == len(runs) - 1
        if not cjk:
            items.append((s, False))
            continue
        items.extend((s[j : j + 2], False) for j in range(len(s) - 1))
        if len(s) == 1 or not last:  # a lone last char may begin a bigram in the text
            items.append((s[-1], len(s) == 1 and last))
    return items


def literal_pattern(text: str) -> str:
    """The LIKE pattern (without the % around it) of a literal over ``normalized`` text: the
    runs and words joined by single spaces, a word bounded by spaces on both sides (a CJK run
    at either end may be part of a longer run)."""
    runs = pieces(text)
    body = " ".join(s for _, s in runs)
    head = "" if runs[0][0] else " "
    tail = "" if runs[-1][0] else " "
    return head + body + tail
