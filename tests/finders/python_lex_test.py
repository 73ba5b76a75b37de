"""lex.py reads string tokens from bytes as CPython does: checked against CPython's own tree."""

from __future__ import annotations

import ast
import warnings

import pytest

from pathmove.finders.python import lex

FSTRINGS = [
    b"f'{x}'",
    b"f'a{x}b{y!r:>{w}}c'",
    b"f'{{x}}'",             # doubled braces are text
    b"f'\\{{x'",             # a backslash before a doubled brace: text `\{x`
    b"rf'\\{{x'",
    b"f'\\{x}'",             # a brace after a backslash still opens a field
    b"rf'\\{x}'",
    b"f'\\\\{x}'",           # an escaped backslash, then a field
    b"f'\\N{DIGIT ONE}{x}'",  # a named escape's braces are no field
    b"rf'(\\{{%)(-?\\s*)(filter)(\\s+)({_ident_inner})'",  # from pygments' lexers
    b"f'{x[\"k\"]}/outputs'",
    b'f"""{x}\n{y}"""',
]


def _cpython_fields(src: bytes) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences
        node = ast.parse(src, mode="eval").body
    assert isinstance(node, ast.JoinedStr)
    return sum(isinstance(v, ast.FormattedValue) for v in node.values)


@pytest.mark.parametrize("src", FSTRINGS, ids=[s.decode() for s in FSTRINGS])
def test_fstring_fields_are_cpythons(src: bytes) -> None:
    tok = lex.token_at(src, 0)
    assert tok.end == len(src)
    assert len(tok.fields) == _cpython_fields(src)
    assert tok.parts.count(None) == len(tok.fields)


@pytest.mark.parametrize("src", FSTRINGS, ids=[s.decode() for s in FSTRINGS])
def test_a_module_holding_the_string_has_a_layout(src: bytes) -> None:
    module = b"import re\n\nP = (" + src + b",\n     'x')\n\n\ndef f():\n    return P\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ast.parse(module)  # valid Python
    lay = lex.layout(module, 0, len(module))
    assert lay is not None
    assert lay.starts == (0, module.index(b"P = "), module.index(b"def f"))
