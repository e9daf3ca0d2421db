"""The errors learners see: one class per failure, no key ever in a message."""

from __future__ import annotations

from course._base._env import redact


class LLMError(Exception):
    """A call to a language model failed. Every message is free of API keys."""

    def __init__(self, message: str, *, model: str | None = None):
        self.model = model
        super().__init__(redact(message))


class MissingKeyError(LLMError):
    """No API key is set for the provider (or the provider rejected it)."""


class UnknownModelError(LLMError):
    """The model name is not served by the provider (or the provider is unknown)."""


class ProviderDownError(LLMError):
    """The provider failed (5xx), is unreachable, or did not answer in time."""


class ProviderTimeoutError(ProviderDownError):
    """The provider did not answer within the timeout."""


class RateLimitedError(LLMError):
    """The provider refused the call: too many requests (HTTP 429)."""

    def __init__(self, message: str, *, model: str | None = None, retry_after_s: float | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(message, model=model)


class BudgetExceededError(LLMError):
    """The session's spending budget would be exceeded: the call was not made."""


def translate(exc: BaseException, *, model: str, provider: str) -> LLMError:
    """Turn a litellm/OpenAI SDK exception into one of the course's errors.

    The original message passes through :func:`course._base._env.redact`, and the
    original exception is not chained into the learner's traceback text beyond
    its type name, so a key echoed by a provider cannot leak.
    """
    if isinstance(exc, LLMError):
        return exc
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    detail = _short(str(exc))
    if "budget_exceeded" in detail.lower() or "budget has been exceeded" in detail.lower():
        return BudgetExceededError(
            f"the proxy refused the call to {model!r}: the budget of your key is spent. "
            "Ask your instructor to raise it, or use a sandbox model (course.models()).",
            model=model,
        )
    if name in ("AuthenticationError", "PermissionDeniedError") or status in (401, 403):
        return MissingKeyError(
            f"{provider} rejected the API key for {model!r} (HTTP {status or 401}). "
            "Check the key's name and value in your .env file.",
            model=model,
        )
    if name == "NotFoundError" or status == 404 or name == "LiteLLMUnknownProvider":
        return UnknownModelError(
            f"{provider} does not serve a model called {model!r}. "
            "course.models() lists the models you can call now.",
            model=model,
        )
    if name == "RateLimitError" or status == 429:
        return RateLimitedError(
            f"{provider} is rate limiting calls to {model!r} (HTTP 429): wait and retry, "
            "or route to another model.",
            model=model,
            retry_after_s=_retry_after(exc),
        )
    if name in ("Timeout", "APITimeoutError") or isinstance(exc, TimeoutError):
        return ProviderTimeoutError(
            f"{provider} did not answer {model!r} within the timeout.", model=model
        )
    if name in ("APIConnectionError", "ServiceUnavailableError", "InternalServerError",
                "BadGatewayError") or (status is not None and status >= 500):
        return ProviderDownError(
            f"{provider} is down or failing for {model!r} (HTTP {status or 'no answer'}): {detail}",
            model=model,
        )
    if name == "BadRequestError" and "provider" in detail.lower() and "not provided" in detail.lower():
        return UnknownModelError(
            f"litellm does not know which provider serves {model!r}: write it as "
            "'provider/model', e.g. 'groq/llama-3.1-8b-instant'.",
            model=model,
        )
    return LLMError(f"call to {model!r} failed ({name}): {detail}", model=model)


def _short(text: str, limit: int = 300) -> str:
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _retry_after(exc: BaseException) -> float | None:
    headers = None
    response = getattr(exc, "response", None)
    if response is not None:
        headers = getattr(response, "headers", None)
    headers = headers or getattr(exc, "litellm_response_headers", None)
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) * scale
            except ValueError:
                return None
    return None

# Tracebacks name the public door (course.MissingKeyError), as httpx does, even before
# anyone has looked the class up through ``course``.
for _cls in (LLMError, MissingKeyError, UnknownModelError, ProviderDownError, ProviderTimeoutError,
             RateLimitedError, BudgetExceededError):
    _cls.__module__ = "course"
del _cls
