"""The environment file systemd reads, written and read back."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.envfile import parse, quote, render


def test_render_quotes_and_sorts():
    assert render({"B": "2", "A": 'say "hi" $HOME `x` \\'}, "managed") == (
        '# managed\nA="say \\"hi\\" \\$HOME \\`x\\` \\\\"\nB="2"\n')


@pytest.mark.parametrize("value", ["", "plain", "with space", "quote\"s", "dollar $X ${Y}", "back\\slash",
                                   "multi\nline", "tick`s", "'single'", "#not a comment", "trailing  "])
def test_any_value_round_trips(value):
    assert parse(render({"KEY": value})) == {"KEY": value}


def test_parse_bare_and_single_quoted_values_and_comments():
    assert parse("# c\n; c\nA=bare value  \nB='x y'\n\nC=\n") == {"A": "bare value", "B": "x y", "C": ""}


def test_render_refuses_bad_names_and_formats_other_types():
    with pytest.raises(ValueError):
        render({"1BAD": "x"})
    assert render({"A": True, "B": 3, "C": None}) == 'A="true"\nB="3"\nC=""\n'
    assert quote("a$b") == '"a\\$b"'


def test_parse_refuses_a_line_without_equals():
    with pytest.raises(ValueError):
        parse("JUSTANAME\n")
