"""Per-learner keys with a budget for the LiteLLM proxy, without a database.

LiteLLM's own virtual keys (``/key/generate`` with ``max_budget``) live in PostgreSQL
through Prisma, and Prisma downloads its query-engine binary from its own server
on first use: impossible on a machine that reaches only the package registries.
This module gives the same workshop guarantees with two documented proxy hooks,
``general_settings.custom_auth`` and a ``litellm_settings.callbacks`` logger:

- every learner has their own key, listed (as a SHA-256, never in clear) in the
  CSV named by ``$LEARNER_KEYS_FILE``: ``learner,key_sha256,max_budget_usd``
  (``make-keys.sh --no-db`` writes it);
- the master key (``$LITELLM_MASTER_KEY``) is the instructor's;
- each successful call adds the proxy's ``response_cost`` to the learner's spend
  (kept in memory, and in ``$LEARNER_SPEND_FILE`` when set, so a restart keeps it);
- a learner whose spend has reached their budget is refused with LiteLLM's own
  ``BudgetExceededError`` (HTTP 422, ``budget_exceeded``), before any provider call.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import threading
from pathlib import Path

import litellm
from fastapi import Request
from litellm.integrations.custom_logger import CustomLogger
from litellm.proxy._types import LitellmUserRoles, UserAPIKeyAuth

# The proxy loads this file once for custom_auth and once for callbacks, as two module
# objects: the spend and its lock live on the litellm module, which both share.
if not hasattr(litellm, "_learner_budgets_state"):
    litellm._learner_budgets_state = (threading.Lock(), {})
_lock, _spend = litellm._learner_budgets_state


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _learners() -> dict[str, tuple[str, float]]:
    """key SHA-256 -> (learner, budget in US dollars)."""
    path = os.environ.get("LEARNER_KEYS_FILE")
    if not path:
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["key_sha256"]: (row["learner"], float(row["max_budget_usd"]))
                for row in csv.DictReader(handle)}


def _spend_file() -> Path | None:
    path = os.environ.get("LEARNER_SPEND_FILE")
    return Path(path) if path else None


def _load_spend() -> None:
    """Merge the spend file into memory (another proxy worker may have booked calls)."""
    path = _spend_file()
    if path and path.is_file():
        for name, spent in json.loads(path.read_text(encoding="utf-8")).items():
            _spend[name] = max(_spend.get(name, 0.0), float(spent))


def _save_spend() -> None:
    path = _spend_file()
    if path:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(_spend), encoding="utf-8")
        tmp.replace(path)


with _lock:
    _load_spend()


async def user_api_key_auth(request: Request, api_key: str) -> UserAPIKeyAuth:
    """Accept the master key and the listed learner keys; refuse a spent budget."""
    master = os.environ.get("LITELLM_MASTER_KEY")
    if master and api_key == master:
        return UserAPIKeyAuth(api_key=api_key, user_role=LitellmUserRoles.PROXY_ADMIN,
                              user_id="instructor")
    learner = _learners().get(_sha(api_key or ""))
    if learner is None:
        raise Exception("unknown key: ask your instructor for your workshop key")
    name, budget = learner
    with _lock:
        _load_spend()
        spent = _spend.get(name, 0.0)
    if spent >= budget:
        raise litellm.BudgetExceededError(
            current_cost=spent, max_budget=budget,
            message=f"Budget has been exceeded! Key={name} Current cost: {spent}, Max budget: {budget}")
    return UserAPIKeyAuth(api_key=api_key, user_id=name, key_alias=name, max_budget=budget,
                          spend=spent)


class SpendTracker(CustomLogger):
    """Adds each successful call's cost to its learner's spend."""

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        payload = kwargs.get("standard_logging_object") or {}
        learner = (payload.get("metadata") or {}).get("user_api_key_user_id")
        cost = payload.get("response_cost") or kwargs.get("response_cost") or 0.0
        if learner and learner != "instructor":
            with _lock:
                _load_spend()
                _spend[learner] = _spend.get(learner, 0.0) + float(cost)
                _save_spend()


spend_tracker = SpendTracker()
