"""Read a learner's answer in any reasonable form, and refuse anything else.

Every grade cell passes the learner's answer through one of these readers before
comparing it with the expected value. A reader:

- accepts every reasonable form of a correct answer: numpy and pandas scalars
  (``numpy.int64``, ``numpy.float64``, ``numpy.bool_``), a list, tuple or set where
  order does not matter, upper or lower case, typographic quotes and a trailing
  full stop pasted from a document;
- returns a plain Python value (``int``, ``float``, ``bool``, ``str``,
  ``frozenset`` or ``dict``), so the comparison that follows never calls the
  learner's own ``__eq__``: an object that claims to equal everything fails;
- fails with an ``AssertionError`` whose message says which form is expected
  ("expected a fraction such as 0.25, not a percentage").

Notebooks reach the readers as ``course.expect``; see ``docs/authoring.md``.

Examples
--------
>>> import numpy as np
>>> expect.number(np.float64(0.25), "share", kind="fraction")
0.25
>>> expect.choice("\\u201cB.\\u201d", "b1_answer", options="abcd")
'b'
>>> sorted(expect.choices(["Hardware", "competition"], "forces", options={"hardware", "competition", "demand"}))
['competition', 'hardware']
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping

__all__ = ["expect", "Expect", "number", "integer", "flag", "text", "choice", "choices", "mapping", "close"]

# Characters a word processor or a PDF puts where a learner meant a plain quote or hyphen.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
                         "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-",
                         "\u00a0": " "})
_TRAILING = ".,;:!?"
# Types whose values are numbers we trust: their comparisons are the language's own.
_TRUSTED_NUMBER_MODULES = {"builtins", "numpy", "fractions", "decimal"}
_COLLECTIONS = (set, frozenset, list, tuple)


def _fail(message: str) -> None:
    raise AssertionError(message)


def _type_name(value: object) -> str:
    return type(value).__name__


def _trusted(value: object) -> bool:
    """Whether ``value``'s type comes from Python, numpy, fractions or decimal (not a learner's class)."""
    return type(value).__module__.split(".")[0] in _TRUSTED_NUMBER_MODULES


def _is_bool(value: object) -> bool:
    """Whether ``value`` is a Python or numpy boolean (``numpy.bool_`` is named ``bool`` in numpy 2)."""
    return isinstance(value, bool) or (type(value).__module__ == "numpy" and type(value).__name__ in {"bool", "bool_"})


def _plain_number(value: object, name: str) -> int | float:
    if _is_bool(value):
        _fail(f"{name} should be a number, not True or False")
    if not _trusted(value) or not isinstance(value, numbers.Number):
        try:  # a 0-d numpy array or a one-element pandas object is still refused: say what to store
            import numpy as np

            if isinstance(value, np.ndarray) and value.ndim == 0 and np.issubdtype(value.dtype, np.number):
                return _plain_number(value[()], name)
        except ImportError:  # pragma: no cover - numpy ships with the course
            pass
        _fail(f"{name} should be a number such as 0.25 or 12, not a value of type {_type_name(value)}"
              + (": take one value out of it (for example with .iloc[0] or float(...))"
                 if _type_name(value) in {"Series", "DataFrame", "ndarray", "list", "tuple"} else ""))
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        _fail(f"{name} should be a real number, not a complex one")
    result = float(value)
    if math.isnan(result):
        _fail(f"{name} is NaN (not a number): check that the rows you used exist")
    return result


def number(value: object, name: str = "the answer", *, kind: str | None = None,
           unit: str | None = None) -> int | float:
    """Return ``value`` as a plain ``int`` or ``float``, or fail saying what a number should look like.

    Parameters
    ----------
    value : object
        The learner's answer: a Python, numpy or pandas scalar number.
    name : str
        The variable's name, used in failure messages.
    kind : {None, "fraction", "positive"}, optional
        ``"fraction"`` requires 0 to 1 (the course states every rate and share as a
        fraction, such as 0.25), and ``"positive"`` requires more than 0.
    unit : str, optional
        Unit named in the failure messages, e.g. ``"dollars per million tokens"``.

    Returns
    -------
    int or float
        A plain Python number (``int`` for whole-number types).

    Raises
    ------
    AssertionError
        If ``value`` is not a real number of a trusted type (a bool, a string, a
        Series, NaN or a learner's own class), or is outside ``kind``'s range.

    Examples
    --------
    >>> import numpy as np
    >>> number(np.int64(3), "gpus")
    3
    >>> number(25, "share", kind="fraction")
    Traceback (most recent call last):
    ...
    AssertionError: share should be a fraction between 0 and 1, such as 0.25 for a quarter, not a percentage such as 25
    """
    if kind not in {None, "fraction", "positive"}:
        raise ValueError(f"unknown kind {kind!r}")
    what = f"{name} ({unit})" if unit else name
    result = _plain_number(value, what)
    if kind == "fraction" and not 0 <= result <= 1:
        if 1 < result <= 100:
            _fail(f"{name} should be a fraction between 0 and 1, such as 0.25 for a quarter, "
                  f"not a percentage such as 25")
        _fail(f"{name} should be a fraction between 0 and 1, such as 0.25 for a quarter")
    if kind == "positive" and not result > 0:
        _fail(f"{what} should be more than 0")
    return result


def integer(value: object, name: str = "the answer") -> int:
    """Return a whole number as a plain ``int``: ``3``, ``numpy.int64(3)`` or ``3.0`` all give ``3``.

    Parameters
    ----------
    value : object
        The learner's answer.
    name : str
        The variable's name, used in failure messages.

    Returns
    -------
    int

    Raises
    ------
    AssertionError
        If ``value`` is not a number, or has a fractional part.

    Examples
    --------
    >>> import numpy as np
    >>> integer(np.float64(3.0), "gpus")
    3
    >>> integer(2.5, "gpus")
    Traceback (most recent call last):
    ...
    AssertionError: gpus should be a whole number such as 3, not 2.5: round it (math.ceil rounds up)
    """
    result = _plain_number(value, name)
    if isinstance(result, float):
        if not result.is_integer():
            _fail(f"{name} should be a whole number such as 3, not {result:g}: round it (math.ceil rounds up)")
        result = int(result)
    return result


def flag(value: object, name: str = "the answer") -> bool:
    """Return ``True`` or ``False`` from a Python or numpy boolean, or fail.

    Parameters
    ----------
    value : object
        The learner's answer: ``True``, ``False`` or ``numpy.bool_``.
    name : str
        The variable's name, used in failure messages.

    Returns
    -------
    bool

    Raises
    ------
    AssertionError
        If ``value`` is anything else (``None``, ``1``, ``"yes"``, a learner's class).

    Examples
    --------
    >>> import numpy as np
    >>> flag(np.bool_(True), "allowed")
    True
    >>> flag("yes", "allowed")
    Traceback (most recent call last):
    ...
    AssertionError: allowed should be True or False (no quotes), not a value of type str
    """
    if type(value) is bool:
        return value
    if _is_bool(value):
        return bool(value)
    _fail(f"{name} should be True or False (no quotes), not a value of type {_type_name(value)}")
    raise AssertionError  # pragma: no cover - _fail always raises


def _clean(value: str) -> str:
    """Straighten quotes and dashes, drop outer quotes and trailing punctuation, fold case and spaces."""
    cleaned = " ".join(value.translate(_QUOTES).split())
    previous = None
    while cleaned != previous:
        previous = cleaned
        cleaned = cleaned.rstrip(_TRAILING).strip()
        if len(cleaned) >= 2 and cleaned[0] == cleaned[-1] and cleaned[0] in "\"'`":
            cleaned = cleaned[1:-1].strip()
    return cleaned.casefold()


def text(value: object, name: str = "the answer") -> str:
    """Return a string answer cleaned for comparison.

    Typographic quotes and dashes become plain ones, quotes around the whole answer,
    trailing punctuation and repeated spaces go, and the case is folded.

    Parameters
    ----------
    value : object
        The learner's answer: a ``str`` (or ``numpy.str_``).
    name : str
        The variable's name, used in failure messages.

    Returns
    -------
    str

    Raises
    ------
    AssertionError
        If ``value`` is not a string.

    Examples
    --------
    >>> text("\\u201cBuilt with Llama.\\u201d ", "d2_display")
    'built with llama'
    >>> text(None, "d2_display")
    Traceback (most recent call last):
    ...
    AssertionError: d2_display should be a string in quotes, such as "b", not a value of type NoneType
    """
    if not isinstance(value, str) or not _trusted(value):
        _fail(f'{name} should be a string in quotes, such as "b", not a value of type {_type_name(value)}')
    return _clean(str(value))


def _key(value: str) -> str:
    """The form used to match an answer with an option: hyphens, underscores and spaces count alike."""
    return _clean(value).replace("_", " ").replace("-", " ")


def _options(options: Iterable[str]) -> dict[str, str]:
    return {_key(option): option for option in options}


def _describe(options: Iterable[str]) -> str:
    return ", ".join(repr(o) for o in sorted(options))


def choice(value: object, name: str = "the answer", *, options: Iterable[str],
           aliases: Mapping[str, str] | None = None) -> str:
    """Return the option a string answer names, spelled as in ``options``.

    Matching ignores case, quotes, trailing punctuation and the difference between
    hyphens, underscores and spaces; ``aliases`` maps other accepted spellings.

    Parameters
    ----------
    value : object
        The learner's answer, a string.
    name : str
        The variable's name, used in failure messages.
    options : iterable of str
        The allowed answers (a string such as ``"abcd"`` means its letters).
    aliases : mapping of str to str, optional
        Extra spellings and the option each one means, e.g. ``{"open weight": "open weights"}``.

    Returns
    -------
    str
        One of ``options``.

    Raises
    ------
    AssertionError
        If ``value`` is not a string or names no option.

    Examples
    --------
    >>> choice("Open-Weights", "a1", options=["fully open", "open weights", "closed"])
    'open weights'
    >>> choice("e", "b1_answer", options="abcd")
    Traceback (most recent call last):
    ...
    AssertionError: b1_answer should be one of 'a', 'b', 'c', 'd', not 'e'
    """
    allowed = _options(options)
    extra = {_key(k): v for k, v in (aliases or {}).items()}
    cleaned = _key(text(value, name))
    if cleaned in allowed:
        return allowed[cleaned]
    if cleaned in extra:
        return extra[cleaned]
    _fail(f"{name} should be one of {_describe(allowed.values())}, not {value!r}")
    raise AssertionError  # pragma: no cover


def choices(value: object, name: str = "the answer", *, options: Iterable[str],
            allow_empty: bool = False) -> frozenset[str]:
    """Return the options a collection of strings names, as a ``frozenset``: order never matters.

    Parameters
    ----------
    value : object
        The learner's answer: a set, frozenset, list or tuple of strings.
    name : str
        The variable's name, used in failure messages.
    options : iterable of str
        The allowed answers (a string such as ``"abcdefg"`` means its letters).
    allow_empty : bool
        Whether choosing nothing is a valid answer.

    Returns
    -------
    frozenset of str
        The chosen options, spelled as in ``options``.

    Raises
    ------
    AssertionError
        If ``value`` is not such a collection, names an unknown option, or is empty
        when ``allow_empty`` is false.

    Examples
    --------
    >>> sorted(choices(("C", "a", "a"), "g1_true", options="abcd"))
    ['a', 'c']
    >>> choices("ac", "g1_true", options="abcd")
    Traceback (most recent call last):
    ...
    AssertionError: g1_true should be a set of options such as {'a', 'b'}, not a value of type str
    """
    allowed = _options(options)
    if not isinstance(value, _COLLECTIONS) or not _trusted(value):
        _fail(f"{name} should be a set of options such as {{'a', 'b'}}, not a value of type {_type_name(value)}")
    chosen = set()
    unknown = []
    for item in value:
        cleaned = _key(text(item, f"each item of {name}"))
        if cleaned in allowed:
            chosen.add(allowed[cleaned])
        else:
            unknown.append(item)
    if unknown:
        _fail(f"{name} names unknown options {unknown!r}: choose from {_describe(allowed.values())}")
    if not chosen and not allow_empty:
        _fail(f"{name} is empty: choose at least one of {_describe(allowed.values())}")
    return frozenset(chosen)


def mapping(value: object, name: str = "the answer", *, keys: Iterable[str],
            values: Iterable[str] | Callable[[object, str], object] | None = None,
            aliases: Mapping[str, str] | None = None) -> dict[str, object]:
    """Return a dictionary answer with its keys spelled as in ``keys`` and its values read.

    Parameters
    ----------
    value : object
        The learner's answer, a ``dict``.
    name : str
        The variable's name, used in failure messages.
    keys : iterable of str
        The keys the answer must have, exactly (case and quotes do not matter).
    values : iterable of str or callable, optional
        Allowed string values (each read with :func:`choice`), or a reader such as
        :func:`flag` called as ``values(value, label)``. Default: :func:`text`.
    aliases : mapping of str to str, optional
        Extra spellings of the values, passed to :func:`choice`.

    Returns
    -------
    dict
        Canonical key -> plain value.

    Raises
    ------
    AssertionError
        If ``value`` is not a ``dict``, has missing or unknown keys, or a value fails its reader.

    Examples
    --------
    >>> mapping({"groq": "Chip.", "OpenRouter": "aggregator"}, "f2_kinds",
    ...         keys=["Groq", "OpenRouter"], values=["chip", "aggregator"])
    {'Groq': 'chip', 'OpenRouter': 'aggregator'}
    >>> mapping({"Groq": "chip"}, "f2_kinds", keys=["Groq", "OpenRouter"])
    Traceback (most recent call last):
    ...
    AssertionError: f2_kinds is missing the keys ['OpenRouter']
    """
    if not isinstance(value, dict) or not _trusted(value):
        _fail(f"{name} should be a dictionary such as {{'key': 'value'}}, not a value of type {_type_name(value)}")
    wanted = _options(keys)
    result: dict[str, object] = {}
    unknown = []
    for key, item in value.items():
        cleaned = _key(text(key, f"each key of {name}"))
        if cleaned not in wanted:
            unknown.append(key)
            continue
        canonical = wanted[cleaned]
        label = f"{name}[{canonical!r}]"
        if values is None:
            result[canonical] = text(item, label)
        elif callable(values):
            result[canonical] = values(item, label)
        else:
            result[canonical] = choice(item, label, options=values, aliases=aliases)
    if unknown:
        _fail(f"{name} has unknown keys {unknown!r}: use exactly {_describe(wanted.values())}")
    missing = sorted(set(wanted.values()) - set(result))
    if missing:
        _fail(f"{name} is missing the keys {missing}")
    return result


def close(got: int | float, expected: object, *, rel: float = 1e-6, abs: float = 0.0) -> bool:  # noqa: A002
    """Whether a number read by :func:`number` is within tolerance of the expected value.

    ``expected`` may be a numpy or pandas scalar computed from the data; both sides
    are turned into plain floats first.

    Parameters
    ----------
    got : int or float
        The learner's answer, already read by :func:`number` or :func:`integer`.
    expected : number
        The expected value.
    rel, abs : float
        Relative and absolute tolerances, as in :func:`math.isclose`.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> close(0.0675, np.float64(0.0675000001))
    True
    >>> close(0.07, 0.0675, rel=1e-3)
    False
    """
    return math.isclose(float(_plain_number(got, "the answer")), float(_plain_number(expected, "the expected value")),
                        rel_tol=rel, abs_tol=abs)


class Expect:
    """The answer readers, as one object: ``course.expect.number(x, "x")`` and so on.

    See :mod:`course.grading.answers` for what each reader accepts and refuses.

    Examples
    --------
    >>> expect.integer(3.0, "gpus")
    3
    """

    number = staticmethod(number)
    integer = staticmethod(integer)
    flag = staticmethod(flag)
    text = staticmethod(text)
    choice = staticmethod(choice)
    choices = staticmethod(choices)
    mapping = staticmethod(mapping)
    close = staticmethod(close)

    def __repr__(self) -> str:
        return "course.expect (answer readers: number, integer, flag, text, choice, choices, mapping, close)"


expect = Expect()
Expect.__module__ = "course"
