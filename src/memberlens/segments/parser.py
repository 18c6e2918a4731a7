"""Text → expression tree, with errors that point at the place and say what was expected.

The grammar is Lark's (LALR); see docs/decisions/0008-audience-language-with-lark.md.
Marketers type on Chinese input methods, so full-width brackets, commas, comparison
signs and “curly quotes” are accepted as well as their ASCII forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from ..errors import MemberlensError
from .expression import (
    And,
    Between,
    Compare,
    CompareOp,
    Contains,
    InList,
    IsNull,
    Node,
    Not,
    Or,
    Scalar,
    Within,
)

MAX_LENGTH = 20_000
MAX_DEPTH = 64

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negate
         | atom
?atom: _LPAR or_expr _RPAR
     | condition
?condition: NAME OP value                                        -> compare
          | NAME NEG? _IN _LPAR value (_COMMA value)* _COMMA? _RPAR -> in_list
          | NAME NEG? _BETWEEN value _AND value                   -> between
          | NAME NEG? _CONTAINS value                             -> contains
          | NAME _IS NEG? _NULL                                   -> is_null
          | NAME NEG? _WITHIN INT _DAYS                           -> within
?value: STRING | ZH_STRING | NUMBER | TRUE | FALSE

_OR: "or"i | "||" | "或" | "或者"
_AND: "and"i | "&&" | "且" | "并且"
_NOT: "not"i
NEG: "not"i
_IN: "in"i
_BETWEEN: "between"i
_CONTAINS: "contains"i
_IS: "is"i
_NULL: "null"i
_WITHIN: "within"i
_DAYS: "days"i | "day"i | "天"
TRUE: "true"i
FALSE: "false"i
_LPAR: "(" | "（"
_RPAR: ")" | "）"
_COMMA: "," | "，" | "、"
OP: "==" | "=" | "!=" | "<>" | "<=" | ">=" | "<" | ">" | "＝" | "＜" | "＞" | "≤" | "≥" | "≠"
NAME: /[^\W\d]\w*/
INT: /\d+/
NUMBER: /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
STRING: /"(\\.|[^"\\])*"/ | /'(\\.|[^'\\])*'/
ZH_STRING: /“[^”]*”/ | /‘[^’]*’/ | /「[^」]*」/
%ignore /\s+/
"""

_OPS: dict[str, CompareOp] = {
    "=": "=", "==": "=", "＝": "=", "!=": "!=", "<>": "!=", "≠": "!=", "<": "<",
    "＜": "<", "<=": "<=", "≤": "<=", ">": ">", "＞": ">", ">=": ">=", "≥": ">=",
}

# how each grammar terminal is named to a user who typed something else
EXPECTED = {
    "NAME": ("标签名", "a tag name"), "OP": ("比较符号 = != < <= > >=", "a comparison"),
    "STRING": ("值（如 \"高\" 或 30）", "a value (e.g. \"high\" or 30)"),
    "ZH_STRING": ("值（如 \"高\" 或 30）", "a value (e.g. \"high\" or 30)"),
    "NUMBER": ("值（如 \"高\" 或 30）", "a value (e.g. \"high\" or 30)"),
    "TRUE": ("值（如 \"高\" 或 30）", "a value (e.g. \"high\" or 30)"),
    "FALSE": ("值（如 \"高\" 或 30）", "a value (e.g. \"high\" or 30)"),
    "INT": ("天数", "a number of days"),
    "_LPAR": ("(", "("), "_RPAR": (")", ")"), "_COMMA": (",", ","),
    "_AND": ("and", "and"), "_OR": ("or", "or"), "_NOT": ("not", "not"), "NEG": ("not", "not"),
    "_IN": ("in", "in"), "_BETWEEN": ("between", "between"), "_CONTAINS": ("contains", "contains"),
    "_IS": ("is", "is"), "_NULL": ("null", "null"), "_WITHIN": ("within", "within"),
    "_DAYS": ("days", "days"), "$END": ("表达式结束", "the end of the expression"),
}
_PREFERRED = ("OP", "_IN", "_BETWEEN", "_CONTAINS", "_IS", "_WITHIN", "NAME", "STRING",
              "_RPAR", "_AND", "_OR", "_DAYS", "INT", "_NULL", "$END")


class AudienceError(MemberlensError):
    """An audience expression is wrong; knows where (character offset) and what to do."""

    http_status = 400

    def __init__(self, message: str, *, expression: str, position: int | None = None,
                 suggestion: str | None = None) -> None:
        self.expression, self.position, self.suggestion = expression, position, suggestion
        self.reason = message
        text = message
        if suggestion:
            text += f"\n  您是否想写 did you mean: {suggestion}"
        if position is not None:
            line = expression.replace("\n", " ")
            # East Asian characters take two columns on a terminal
            pad = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line[:position])
            text += f"\n  {line}\n  {' ' * pad}^ (位置 position {position + 1})"
        super().__init__(text)


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(text: str) -> Node:
    """Parse without looking at the catalog (see `bind` for names and types)."""
    if not text.strip():
        raise AudienceError("表达式为空 the expression is empty", expression=text)
    if len(text) > MAX_LENGTH:
        raise AudienceError(f"表达式过长（超过 {MAX_LENGTH} 个字符） expression longer than "
                            f"{MAX_LENGTH} characters", expression=text[:80] + "…")
    _check_depth(text)
    try:
        tree = _parser().parse(text)
        node: Node = _Build().transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, AudienceError):
            raise AudienceError(e.orig_exc.reason, expression=text,
                                position=e.orig_exc.position) from None
        raise AudienceError(f"无法解析 cannot parse: {e.orig_exc}", expression=text) from None
    except UnexpectedInput as e:
        raise _syntax_error(text, e) from None
    except LarkError as e:  # pragma: no cover - any other Lark failure still gets our type
        raise AudienceError(f"无法解析 cannot parse: {e}", expression=text) from None
    return node


def _check_depth(text: str) -> None:
    """Refuse absurd nesting before the parser recurses into it."""
    depth = deepest = 0
    nots = 0
    for ch in text:
        if ch in "(（":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")）":
            depth -= 1
    nots = text.lower().count("not")
    if deepest > MAX_DEPTH or nots > MAX_DEPTH * 4:
        raise AudienceError(f"嵌套过深（超过 {MAX_DEPTH} 层） nested deeper than {MAX_DEPTH}",
                            expression=text[:80])


def _syntax_error(text: str, e: UnexpectedInput) -> AudienceError:
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream or 0
        found = text[pos] if pos < len(text) else ""
        if found and found in "\"'“‘「":
            return AudienceError("引号没有闭合 the quote is never closed", expression=text,
                                 position=pos)
        return AudienceError(f"无法识别的字符 unexpected character {found!r}",
                             expression=text, position=pos)
    lead = re.match(r"\s*(and|or|&&|\|\||并且|且|或者|或)(?=\W)", text, re.IGNORECASE)
    if lead:
        return AudienceError(f"表达式不能以 '{lead.group(1)}' 开头，此处应为标签名 an expression "
                             f"cannot start with '{lead.group(1)}': expected a tag name",
                             expression=text, position=lead.start(1))
    if isinstance(e, UnexpectedToken):
        token = e.token
        at_end = token.type == "$END"
        pos = len(text) if at_end else (token.start_pos or 0)
        expected = _describe(e.expected)
        found = "表达式结束 end of expression" if at_end else repr(str(token))
        return AudienceError(f"此处应为 expected {expected}，但遇到 found {found}",
                             expression=text, position=pos)
    if isinstance(e, UnexpectedEOF):
        return AudienceError(f"表达式不完整，应为 incomplete, expected "
                             f"{_describe([str(x) for x in e.expected])}",
                             expression=text, position=len(text))
    return AudienceError(f"无法解析 cannot parse: {e}", expression=text)


def _describe(expected: Iterable[str]) -> str:
    names = sorted(set(expected), key=lambda n: (_PREFERRED.index(n) if n in _PREFERRED
                                                 else len(_PREFERRED), n))
    shown = [EXPECTED[n][0] if n in EXPECTED else n for n in names[:5]]
    return " / ".join(dict.fromkeys(shown))


def _literal(token: Token) -> Scalar:
    text = str(token)
    if token.type == "NUMBER":
        if any(c in text for c in ".eE"):
            return float(text)
        return int(text)
    if token.type == "TRUE":
        return True
    if token.type == "FALSE":
        return False
    if token.type == "ZH_STRING":
        return text[1:-1]
    body = text[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _pos(token: Token) -> int:
    return token.start_pos or 0


# Lark's contextual lexer reads a keyword as a name where no keyword can stand
# (`and age = 1`); such a name is never a tag, so say what it is
KEYWORDS = frozenset({"and", "or", "not", "in", "between", "contains", "is", "null",
                      "within", "days", "day", "true", "false", "且", "并且", "或", "或者"})


def _tag(token: Token) -> str:
    name = str(token)
    if name.lower() in KEYWORDS:
        raise AudienceError(f"此处应为标签名，'{name}' 是关键字 expected a tag name; "
                            f"'{name}' is a keyword", expression="", position=_pos(token))
    return name


@v_args(inline=True)
class _Build(Transformer[Token, Node]):
    """Lark tree → our frozen dataclasses, flattening and/or chains."""

    def or_expr(self, *items: Node) -> Node:
        flat: list[Node] = []
        for it in items:
            flat.extend(it.items if isinstance(it, Or) else (it,))
        return Or(tuple(flat))

    def and_expr(self, *items: Node) -> Node:
        flat: list[Node] = []
        for it in items:
            flat.extend(it.items if isinstance(it, And) else (it,))
        return And(tuple(flat))

    def negate(self, item: Node) -> Node:
        return Not(item)

    def compare(self, name: Token, op: Token, value: Token) -> Node:
        return Compare(_tag(name), _OPS[str(op)], _literal(value), _pos(name), (_pos(value),))

    def in_list(self, name: Token, *rest: Token) -> Node:
        neg = bool(rest) and rest[0].type == "NEG"
        tokens = rest[1:] if neg else rest
        node: Node = InList(_tag(name), tuple(_literal(v) for v in tokens), _pos(name),
                            tuple(_pos(v) for v in tokens))
        return Not(node) if neg else node

    def between(self, name: Token, *rest: Token) -> Node:
        neg = rest[0].type == "NEG"
        low, high = rest[1:] if neg else rest
        node: Node = Between(_tag(name), _literal(low), _literal(high), _pos(name),
                             (_pos(low), _pos(high)))
        return Not(node) if neg else node

    def contains(self, name: Token, *rest: Token) -> Node:
        neg = rest[0].type == "NEG"
        value = _literal(rest[-1])
        if not isinstance(value, str):
            raise AudienceError("contains 后应为文字值 contains needs a text value",
                                expression="", position=_pos(rest[-1]))
        node: Node = Contains(_tag(name), value, _pos(name), (_pos(rest[-1]),))
        return Not(node) if neg else node

    def is_null(self, name: Token, *rest: Token) -> Node:
        node: Node = IsNull(_tag(name), _pos(name))
        return Not(node) if rest else node

    def within(self, name: Token, *rest: Token) -> Node:
        neg = rest[0].type == "NEG"
        days = int(str(rest[-1]))
        node: Node = Within(_tag(name), days, _pos(name), (_pos(rest[-1]),))
        return Not(node) if neg else node
