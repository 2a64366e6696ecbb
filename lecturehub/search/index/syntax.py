"""The search box syntax, parsed once for every engine into a small tree.

Syntax: words separated by spaces (or 、，；。！？) must all match; "…" is an exact phrase (it
may contain spaces; “…” and 「…」 work too); -word or -"…" excludes; OR between two terms
(upper case) matches either and binds tighter than the implicit AND (a OR b c = (a OR b) c);
parentheses group. CJK text matches exactly where those characters stand together (any
substring); Latin words and numbers match whole words, case-insensitively (5G does not match
5GB). Inside a word or phrase, punctuation and spaces only separate: GB/T 9704 matches the
tokens gb, t, 9704 in a row, and "推进 乡村" needs some break between 推进 and 乡村.

Errors (QueryError, message in Chinese): an unpaired quote or parenthesis, a query of only
exclusions, an exclusion beside OR, a query with nothing searchable in it, over 200 chars.
A blank query is not an error: parse() returns None and the index lists everything by date.

The tree: ``All`` (every node must match; ``Not`` children exclude), ``Any`` (one of them),
``Lit`` (a literal, matched as text.literal_items). ``prune`` drops what has nothing
searchable in it, so an engine compiles only literals with items.
"""

from __future__ import annotations

from dataclasses import dataclass

from lecturehub.search.index.base import QueryError
from lecturehub.search.index.text import literal_items, pieces

MAX_QUERY_CHARS = 200
_QUERY_TABLE = str.maketrans(
    {
        **dict.fromkeys("“”„‟「」『』＂", '"'),
        "（": "(",
        "）": ")",
        "－": "-",
        **dict.fromkeys("，、；。！？\u3000", " "),
    }
)
_WORD_END = set(' \t\r\n"()')
UNPAIRED_QUOTE = "引号没有配对，请检查查询中的引号。"
UNPAIRED_PAREN = "括号没有配对，请检查查询中的括号。"
ONLY_EXCLUSIONS = "不能只输入排除词（以“-”开头的词），请加上要搜索的字词。"
EXCLUSION_IN_OR = "“OR”两边不能是排除词（以“-”开头的词）。"
NOTHING_SEARCHABLE = "查询中没有可以搜索的文字或数字。"


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class All:
    nodes: tuple


@dataclass(frozen=True)
class Any:
    nodes: tuple


def _quoted(q: str, i: int) -> tuple[tuple[str, str], int]:
    end = q.find('"', i + 1)
    if end < 0:
        raise QueryError(UNPAIRED_QUOTE)
    return ("lit", q[i + 1 : end]), end + 1


def _word(q: str, i: int) -> tuple[tuple[str, str], int]:
    j = i
    while j < len(q) and q[j] not in _WORD_END:
        j += 1
    word = q[i:j]
    return (("or", word) if word == "OR" else ("lit", word)), j


def _lex(q: str) -> list[tuple[str, str]]:
    out, i, n = [], 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c == '"':
            token, i = _quoted(q, i)
        elif c in "()":
            token, i = (c, c), i + 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace():
            token, i = ("-", c), i + 1
        else:
            token, i = _word(q, i)
        out.append(token)
    return out


class _Parser:
    """query := disj* ; disj := unit (OR unit)* ; unit := [-] (lit | '(' query ')')."""

    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def query(self) -> All:
        nodes = []
        while self.peek() not in (None, ")"):
            if self.peek() == "or":  # a dangling OR is ignored
                self.take()
                continue
            nodes.append(self.disj())
        return All(tuple(nodes))

    def disj(self):
        nodes = [self.unit()]
        while self.peek() == "or":
            self.take()
            if self.peek() in (None, ")", "or"):
                break
            nodes.append(self.unit())
        if len(nodes) == 1:
            return nodes[0]
        if any(isinstance(n, Not) for n in nodes):
            raise QueryError(EXCLUSION_IN_OR)
        return Any(tuple(nodes))

    def unit(self):
        negate = False
        while self.peek() == "-":
            self.take()
            negate = not negate
        kind, text = self.take() if self.peek() is not None else (None, "")
        if kind == "(":
            node = self.query()
            if self.peek() != ")":
                raise QueryError(UNPAIRED_PAREN)
            self.take()
        elif kind == "lit":
            node = Lit(text)
        else:
            raise QueryError(UNPAIRED_PAREN)
        return Not(node) if negate else node


def parse(q: str) -> All | None:
    """The query tree of a search box string, pruned and checked; None when it is blank."""
    q = (q or "").translate(_QUERY_TABLE).strip()
    if not q:
        return None
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查询内容过长（最多 {MAX_QUERY_CHARS} 个字符）。")
    parser = _Parser(_lex(q))
    tree = parser.query()
    if parser.peek() is not None:
        raise QueryError(UNPAIRED_PAREN)
    pruned = prune(tree)
    if pruned is None:
        raise QueryError(NOTHING_SEARCHABLE)
    return _as_all(pruned)


def _as_all(node) -> All:
    return node if isinstance(node, All) else All((node,))


def prune(node):
    """The node without literals that have nothing searchable (None if nothing is left);
    raises QueryError for an AND of only exclusions. An All or Any of one node is that node."""
    if isinstance(node, Lit):
        return node if literal_items(node.text) else None
    if isinstance(node, Any):
        subs = tuple(s for s in map(prune, node.nodes) if s is not None)
        return None if not subs else (subs[0] if len(subs) == 1 else Any(subs))
    pos = tuple(s for n in node.nodes if not isinstance(n, Not) and (s := prune(n)) is not None)
    neg = tuple(Not(s) for n in node.nodes if isinstance(n, Not) and (s := prune(n.node)))
    if neg and not pos:
        raise QueryError(ONLY_EXCLUSIONS)
    if not pos:
        return None
    return pos[0] if len(pos) == 1 and not neg else All(pos + neg)


def positive_literals(node) -> list[str]:
    """The texts a matching slide may contain (everything not under an exclusion)."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Lit):
        return [node.text] if pieces(node.text) else []
    return [t for n in node.nodes for t in positive_literals(n)]
