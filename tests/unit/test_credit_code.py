"""GB 32100-2015 unified social credit codes."""

from hypothesis import given
from hypothesis import strategies as st

from underwriting.credit_code import (
    ALPHABET,
    WEIGHTS,
    check_character,
    credit_code_problem,
    is_valid_credit_code,
)

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_weights_are_the_published_table():
    # GB 32100-2015 table 3: Wi = 3^(i-1) mod 31.
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_the_standards_worked_example_is_valid():
    # The example code printed in GB 32100-2015, appendix.
    assert is_valid_credit_code("91350100M000100Y43")
    assert check_character("91350100M000100Y4") == "3"


def test_alphabet_excludes_the_ambiguous_letters():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


@given(bodies)
def test_body_plus_its_check_character_is_valid(body):
    assert credit_code_problem(body + check_character(body)) is None


@given(bodies, st.integers(min_value=0, max_value=16), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(body, position, replacement):
    # 31 is prime and every weight is invertible mod 31, so one changed character always
    # changes the weighted sum mod 31, and therefore the check character.
    code = body + check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)


def test_problems_are_named():
    assert "18 characters" in credit_code_problem("9135")
    assert "alphabet" in credit_code_problem("91350100M000100I43")
    assert "check character" in credit_code_problem("91350100M000100Y44")
