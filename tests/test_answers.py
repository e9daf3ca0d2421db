"""The answer readers behind every grade cell (``course.expect``): every reasonable form of a
right answer is read as the same plain value, and nothing foreign gets through."""

from __future__ import annotations

import doctest
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import course
from course.grading import answers
from course.grading.answers import expect


class AlwaysEqual:
    """A cheat: equal to everything, ordered every way, callable and indexable."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __hash__(self):
        return 0

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self


class EqualFloat(float):
    """A float that claims to equal everything."""

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class EqualStr(str):
    """A string that claims to equal everything."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def test_the_docstring_examples_pass():
    result = doctest.testmod(answers, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


def test_course_expect_is_the_public_name_and_stays_light():
    assert course.expect is expect
    code = "import sys, course; course.expect.number(1.5, 'x'); print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("value, expected", [
    (np.float64(0.25), 0.25), (np.float32(0.5), 0.5), (np.int64(7), 7), (np.int32(7), 7),
    (pd.Series([1.5, 2.0]).iloc[0], 1.5), (pd.Series([3, 4]).max(), 4), (np.array(2.5), 2.5), (12, 12),
])
def test_numpy_and_pandas_scalars_read_as_plain_numbers(value, expected):
    got = expect.number(value, "x")
    assert got == expected
    assert type(got) in (int, float)


@pytest.mark.parametrize("value, why", [
    (True, "not True or False"), (np.bool_(True), "not True or False"), ("0.25", "value of type str"),
    (None, "value of type NoneType"), (pd.Series([1.0]), "take one value out of it"),
    (float("nan"), "NaN"), (AlwaysEqual(), "value of type AlwaysEqual"),
])
def test_things_that_are_not_one_number_are_refused_with_the_form_expected(value, why):
    with pytest.raises(AssertionError, match=why):
        expect.number(value, "x")


def test_a_percentage_where_a_fraction_is_asked_for_says_so():
    with pytest.raises(AssertionError, match="fraction between 0 and 1.*not a percentage"):
        expect.number(25, "share", kind="fraction")
    with pytest.raises(ValueError, match="unknown kind"):
        expect.number(0.25, "share", kind="percent")  # one convention, course-wide: fractions
    assert expect.number(np.float64(1.0), "share", kind="fraction") == 1.0


@pytest.mark.parametrize("reader", [
    lambda v: expect.number(v, "x"), lambda v: expect.integer(v, "x"), lambda v: expect.flag(v, "x"),
    lambda v: expect.text(v, "x"), lambda v: expect.choice(v, "x", options="abcd"),
    lambda v: expect.choices(v, "x", options="abcd"), lambda v: expect.mapping(v, "x", keys=["a"]),
])
@pytest.mark.parametrize("cheat", [AlwaysEqual(), EqualFloat(1.0), EqualStr("b"), {AlwaysEqual()}, [EqualStr("a")]])
def test_objects_that_claim_to_equal_everything_fail_every_reader(reader, cheat):
    with pytest.raises(AssertionError):
        value = reader(cheat)
        # Whatever a reader returns is a plain value: it must not equal an arbitrary wrong answer.
        assert value != "definitely wrong" and value != 123456.0 and value != frozenset({"zz"})
        raise AssertionError("a reader returned a value for a foreign type")


def test_readers_return_plain_values_so_comparison_never_calls_the_learners_eq():
    assert type(expect.text(np.str_("B"), "x")) is str
    assert type(expect.flag(np.bool_(False), "x")) is bool
    assert type(expect.choices(["a"], "x", options="ab")) is frozenset
    assert type(expect.mapping({"A": "b"}, "x", keys=["a"])) is dict


@pytest.mark.parametrize("value", [3, 3.0, np.int64(3), np.float64(3.0), np.uint8(3)])
def test_whole_numbers_read_as_int_in_any_form(value):
    got = expect.integer(value, "gpus")
    assert got == 3 and type(got) is int


@pytest.mark.parametrize("value, why", [(2.5, "whole number"), (True, "not True or False"), ("3", "type str")])
def test_non_whole_numbers_are_refused(value, why):
    with pytest.raises(AssertionError, match=why):
        expect.integer(value, "gpus")


@pytest.mark.parametrize("value", [True, np.bool_(True)])
def test_python_and_numpy_booleans_are_flags(value):
    assert expect.flag(value, "allowed") is True


@pytest.mark.parametrize("value", [1, "True", None, "yes"])
def test_other_values_are_not_flags(value):
    with pytest.raises(AssertionError, match="True or False"):
        expect.flag(value, "allowed")


@pytest.mark.parametrize("pasted", [
    "Built with Llama", "built with llama", "\u201cBuilt with Llama\u201d", "\u201cBuilt with Llama.\u201d",
    '"Built with Llama".', "  Built   with Llama!  ", "\u2018Built with Llama\u2019", "'Built with Llama'",
])
def test_case_curly_quotes_and_trailing_punctuation_do_not_matter(pasted):
    assert expect.text(pasted, "d2_display") == "built with llama"


def test_choices_match_options_whatever_the_case_quotes_or_hyphens():
    options = ["fully open", "open weights", "closed", "gpu-cloud", "same_code"]
    assert expect.choice("\u201cOpen-Weights.\u201d", "x", options=options) == "open weights"
    assert expect.choice("GPU cloud", "x", options=options) == "gpu-cloud"
    assert expect.choice("same-code", "x", options=options) == "same_code"
    assert expect.choice("open weight", "x", options=options, aliases={"open weight": "open weights"}) == "open weights"
    with pytest.raises(AssertionError, match="should be one of 'closed', 'fully open'"):
        expect.choice("open", "x", options=options)


@pytest.mark.parametrize("value", [{"b", "a"}, ["a", "b"], ("B", "a"), frozenset("ab"), ["a", "b", "a"],
                                   [np.str_("a"), "\u201cb\u201d"]])
def test_a_set_of_choices_can_be_any_collection_in_any_order(value):
    assert expect.choices(value, "x", options="abc") == {"a", "b"}


def test_a_set_of_choices_names_unknown_options_and_refuses_a_bare_string():
    with pytest.raises(AssertionError, match=r"unknown options \['z'\]"):
        expect.choices({"a", "z"}, "x", options="abc")
    with pytest.raises(AssertionError, match="set of options"):
        expect.choices("ab", "x", options="abc")
    with pytest.raises(AssertionError, match="is empty"):
        expect.choices(set(), "x", options="abc")
    assert expect.choices([], "x", options="abc", allow_empty=True) == frozenset()


def test_mappings_read_keys_and_values_in_any_reasonable_form():
    got = expect.mapping({"groq": "\u201cChip.\u201d", "OPENROUTER": "aggregator"}, "f2",
                         keys=["Groq", "OpenRouter"], values=["chip", "aggregator"])
    assert got == {"Groq": "chip", "OpenRouter": "aggregator"}
    flags = expect.mapping({"a": np.bool_(False), "b": True}, "f", keys="ab", values=expect.flag)
    assert flags == {"a": False, "b": True} and all(type(v) is bool for v in flags.values())


def test_mappings_say_which_keys_are_missing_or_unknown():
    with pytest.raises(AssertionError, match=r"missing the keys \['b'\]"):
        expect.mapping({"a": "x"}, "m", keys="ab")
    with pytest.raises(AssertionError, match="unknown keys"):
        expect.mapping({"a": "x", "b": "y", "c": "z"}, "m", keys="ab")
    with pytest.raises(AssertionError, match=r"m\['a'\] should be True or False"):
        expect.mapping({"a": "yes", "b": True}, "m", keys="ab", values=expect.flag)


def test_close_compares_plain_numbers_within_tolerance():
    assert expect.close(0.0675, np.float64(0.0675) * (1 + 1e-9))
    assert not expect.close(0.07, 0.0675, rel=1e-3)
    assert expect.close(1.0, 1.0004, abs=5e-4)
    assert not math.isnan(expect.number(np.float64(2.0), "x"))
