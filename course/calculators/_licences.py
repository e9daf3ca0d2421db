"""Model licences: what a release opens, and whether a deployment is allowed.

The facts live in ``datasets/model_licences.csv`` (one row per release, with the
licence's thresholds, attribution, naming and regional rules). This module reads
them and applies them to a deployment you describe. Clause references point at
the licence texts cited in the row's ``source_url``.

This is teaching material, not legal advice: licences change, and the dataset
records them as of its retrieval date.

Deployments
-----------
``"internal"``
    The model runs only for your own organisation; nobody outside uses it.
``"hosted-api"``
    You serve the model, or a service built on it, to other people over the
    network (an API, a web app, a chatbot).
``"product"``
    You hand the model, or a product that contains it, to others (weights on a
    model hub, an app that ships the model, an on-premises install).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["LicenceDecision", "licence_decision", "openness", "openness_table"]

DEPLOYMENTS = ("internal", "hosted-api", "product")
PURPOSES = ("commercial", "research")
COMPONENTS = {
    "weights": "weights_open",
    "training_code": "training_code_open",
    "training_data": "training_data_open",
    "checkpoints": "checkpoints_open",
    "eval_code": "eval_code_open",
}
RETRIEVED = "2026-11-23"

_LLAMA_AUP = {
    "3.1": "https://llama.meta.com/llama3_1/use-policy",
    "3.2": "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md",
    "3.3": "https://www.llama.com/llama3_3/use-policy",
    "4": "https://www.llama.com/llama4/use-policy",
}
_GEMMA_PUP = "https://ai.google.dev/gemma/prohibited_use_policy"
_MRL_TEXT = "https://mistral.ai/licenses/MRL-0.1.md"


# --------------------------------------------------------------------------- data


def licence_table(data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return ``data`` or the course's ``model_licences`` dataset."""
    if data is not None:
        return data
    from course.data._datasets import load

    return load("model_licences")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _row(release: str, data: pd.DataFrame) -> dict:
    """Return the dataset row of ``release`` as a dict (blank cells as ``None``)."""
    keys = data["release"].map(_key)
    hits = data[keys == _key(release)]
    if hits.empty:
        import difflib

        close = difflib.get_close_matches(str(release), list(data["release"]), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(
            f"no release {release!r} in model_licences.{hint} "
            "See course.load('model_licences')['release'] for the list."
        )
    row = hits.iloc[0].to_dict()
    return {k: (None if _blank(v) else v) for k, v in row.items()}


def _blank(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------- openness


def openness(release: str, *, data: pd.DataFrame | None = None) -> dict:
    """Say which parts of a release are open, and classify it.

    Parameters
    ----------
    release : str
        A release from ``model_licences`` (case, spaces and dashes are ignored).
    data : pandas.DataFrame, optional
        The licence table; by default ``course.load("model_licences")``.

    Returns
    -------
    dict
        ``weights``, ``training_code``, ``training_data``, ``checkpoints`` and
        ``eval_code`` map to ``True``, ``False`` or ``None`` (not checked), and
        ``class`` to one of:

        - ``"closed"``: no weights to download;
        - ``"fully open"``: weights, training code and training data all released;
        - ``"open weights"``: weights released, but not the code and data to rebuild them.

    Raises
    ------
    KeyError
        If the release is not in the table.

    Examples
    --------
    >>> openness("OLMo 7B")["class"]
    'fully open'
    >>> openness("Llama 3.1 405B")["class"]
    'open weights'
    >>> openness("GPT-4o")["weights"]
    False
    """
    row = _row(release, licence_table(data))
    parts = {name: (None if row[col] is None else bool(row[col])) for name, col in COMPONENTS.items()}
    if not parts["weights"]:
        kind = "closed"
    elif parts["training_code"] and parts["training_data"]:
        kind = "fully open"
    else:
        kind = "open weights"
    return {**parts, "class": kind}


def openness_table(releases=None, *, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return releases × components: ``True``, ``False`` or ``<NA>`` (not checked), plus the class.

    Parameters
    ----------
    releases : list of str, optional
        Which releases, in this order; by default all of them, in dataset order.
    data : pandas.DataFrame, optional
        The licence table; by default ``course.load("model_licences")``.

    Returns
    -------
    pandas.DataFrame
        Indexed by release, with one nullable-boolean column per component and a
        ``class`` column.

    Examples
    --------
    >>> table = openness_table(["Pythia 12B", "Qwen2.5-72B"])
    >>> bool(table.loc["Pythia 12B", "checkpoints"]), table.loc["Qwen2.5-72B", "class"]
    (True, 'open weights')
    """
    frame = licence_table(data)
    names = list(frame["release"]) if releases is None else list(releases)
    rows = {}
    for name in names:
        info = openness(name, data=frame)
        rows[_row(name, frame)["release"]] = info
    table = pd.DataFrame.from_dict(rows, orient="index")
    for col in COMPONENTS:
        table[col] = table[col].astype("boolean")
    table.index.name = "release"
    return table


# ----------------------------------------------------------------------- decision


@dataclass(frozen=True)
class LicenceDecision:
    """The answer of :func:`licence_decision` for one release and one deployment.

    Attributes
    ----------
    release : str
        The release, as the dataset names it.
    allowed : bool
        ``True`` when the deployment is allowed under the licence as published
        (with the conditions listed); ``False`` when it needs something the licence
        does not give: a separate licence, another region, or weights that exist.
    governing_licence : str
        The licence(s) that govern the deployment; a derived model lists its base
        model's licence and its developer's own.
    conditions : list of str
        What applies: obligations to meet, and first, if any, why it is not allowed.
    clauses : list of str
        For each condition (same order), the clause it comes from.
    blockers : list of str
        The conditions that make ``allowed`` false (empty when allowed).
    sources : list of str
        URLs of the licence texts behind the clauses.
    """

    release: str
    allowed: bool
    governing_licence: str
    conditions: list = field(default_factory=list)
    clauses: list = field(default_factory=list)
    blockers: list = field(default_factory=list)
    sources: list = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``"allowed"`` or ``"not allowed"``."""
        return "allowed" if self.allowed else "not allowed"

    def __str__(self) -> str:
        lines = [f"{self.release}: {self.verdict.upper()} under {self.governing_licence}"]
        lines += [f"  - {c}  [{k}]" for c, k in zip(self.conditions, self.clauses, strict=True)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        colour = "#1a7f37" if self.allowed else "#b42318"
        rows = "".join(
            f"<tr><td style='text-align:left'>{esc(c)}</td>"
            f"<td style='text-align:left'><i>{esc(k)}</i></td></tr>"
            for c, k in zip(self.conditions, self.clauses, strict=True)
        )
        links = " · ".join(f"<a href='{esc(u)}' target='_blank'>{esc(u)}</a>" for u in self.sources)
        return (
            "<div class='course-licence-decision'>"
            f"<p><b>{esc(self.release)}</b>: "
            f"<b style='color:{colour}'>{esc(self.verdict.upper())}</b><br>"
            f"Governing licence: {esc(self.governing_licence)}</p>"
            "<table><thead><tr><th style='text-align:left'>What applies</th>"
            f"<th style='text-align:left'>Clause</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p><small>Sources: {links}<br>Licences as retrieved {RETRIEVED}; "
            "they change. Not legal advice.</small></p></div>"
        )


class _Findings:
    """Collects (condition, clause, blocks) while the rules run."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, bool]] = []
        self.sources: list[str] = []

    def add(self, text: str, clause: str, *, blocks: bool = False) -> None:
        if (text, clause, blocks) not in self.items:
            self.items.append((text, clause, blocks))

    def source(self, url: str | None) -> None:
        if url and url not in self.sources:
            self.sources.append(url)


def _llama(row: dict, f: _Findings, *, users: int, shares: bool, copies: bool,
           fine_tuned: bool, eu: bool, multimodal: bool) -> None:
    version = re.search(r"Llama (\d(?:\.\d)?)", row["licence_name"]).group(1)
    lic = f"Llama {version} Community License"
    threshold = row["mau_threshold"]
    if threshold is not None and users > threshold:
        f.add(
            f"On the version's release date, your products and services had more than "
            f"{threshold:,} monthly active users in the preceding calendar month: "
            "you must request a licence from Meta (granted at its sole discretion) and have "
            "no rights under this licence until it does.",
            f"{lic} §2 (Additional Commercial Terms)", blocks=True,
        )
    elif threshold is not None:
        f.add(f"Allowed if your products and services had at most {threshold:,} monthly "
              "active users in the calendar month before the version's release date; above "
              "that you need a separate licence from Meta.",
              f"{lic} §2 (Additional Commercial Terms)")
    if row["regional_limits"] and (multimodal or row["multimodal"]) and eu:
        f.add(
            "Multimodal models of this family: the rights of §1(a) are not granted to a company "
            "whose principal place of business is in the EU (or an individual domiciled there). "
            "Only end users of someone else's product are exempt.",
            f"Llama {version} Acceptable Use Policy, paragraph on multimodal models", blocks=True,
        )
        f.source(_LLAMA_AUP.get(version))
    f.add("Follow the Acceptable Use Policy, which is part of the licence.",
          f"{lic} §1.b.iv")
    f.source(_LLAMA_AUP.get(version))
    if shares:
        f.add(f"Display \"{row['attribution']}\" prominently on a related website, user "
              "interface, blog post, about page or product documentation.",
              f"{lic} §1.b.i(B)")
    if copies:
        f.add("Ship a copy of the licence with the model, and a \"Notice\" text file with "
              f"the attribution line \"Llama {version} is licensed under the Llama {version} "
              "Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\"",
              f"{lic} §1.b.i(A) and §1.b.iii")
    if fine_tuned and shares:
        f.add("Your fine-tuned model is distributed or made available: its name must start "
              "with \"Llama\".", f"{lic} §1.b.i, last sentence")


def _qwen(row: dict, f: _Findings, *, users: int, commercial: bool, shares: bool,
          copies: bool, fine_tuned: bool) -> None:
    research = row["licence_type"] == "research-non-commercial"
    lic = row["licence_name"]
    if research and commercial:
        f.add("This licence grants rights for non-commercial use (research or evaluation) "
              "only: commercial use needs a separate licence from Alibaba Cloud.",
              f"{lic}, grant of rights", blocks=True)
    threshold = row["mau_threshold"]
    if threshold is not None and commercial and users > threshold:
        f.add(f"Commercial use in a product or service with more than {threshold:,} monthly "
              "active users: you must request a licence from Alibaba Cloud and cannot use "
              "this licence's rights without its express authorisation.",
              f"{lic} §4 (Restrictions)", blocks=True)
    elif threshold is not None and commercial:
        f.add(f"Allowed while the product or service has at most {threshold:,} monthly active "
              "users; above that you must request a licence from Alibaba Cloud.",
              f"{lic} §4 (Restrictions)")
    if research and not commercial:
        f.add("Keep to non-commercial use: research or evaluation.", f"{lic}, grant of rights")
    if fine_tuned and shares:
        f.add("You fine-tuned (or trained with its outputs) a model you make available: "
              "display \"Built with Qwen\" or \"Improved using Qwen\" prominently in the "
              "product documentation.", f"{lic}, 'Built with Qwen' clause")
    if copies:
        f.add("Give recipients a copy of the licence, and keep a \"Notice\" text file with the "
              "licence notice (\"Qwen is licensed under the Qwen LICENSE AGREEMENT, Copyright "
              "(c) Alibaba Cloud. All Rights Reserved.\") in every copy you distribute.",
              f"{lic} §3 (Redistribution)")
        if fine_tuned:
            f.add("Mark the files you changed with a prominent notice.",
                  f"{lic} §3 (Redistribution)")


def _gemma(row: dict, f: _Findings, *, shares: bool, copies: bool, fine_tuned: bool) -> None:
    lic = "Gemma Terms of Use"
    f.add("Do not use it, or let others use it, for anything in the Gemma Prohibited Use "
          "Policy; Google may restrict use it believes breaks the terms.", f"{lic} §3.2")
    f.source(_GEMMA_PUP)
    if shares and row["hosted_service_is_distribution"]:
        if not copies:
            f.add("Offering Gemma through an API or web app counts as Distribution "
                  "(a \"Hosted Service\"), so the distribution conditions apply.",
                  f"{lic} §1.1(b)")
        f.add("Put the §3.2 use restrictions into your own terms of use as an enforceable "
              "provision, and tell your users the model is subject to them.", f"{lic} §3.1")
        f.add("Provide a copy of the Gemma Terms of Use to those you distribute to.",
              f"{lic} §3.1")
    if copies:
        f.add("Accompany copies with a \"Notice\" text file saying Gemma is provided under "
              "and subject to the Gemma Terms of Use.", f"{lic} §3.1")
    if fine_tuned:
        f.add("Your fine-tune is a Model Derivative: the terms cover it too"
              + (", and modified files must say you modified them." if shares else "."),
              f"{lic} §1.1 ('Model Derivatives') and §3.1")


def _permissive(row: dict, f: _Findings, *, copies: bool, fine_tuned: bool) -> None:
    lic = row["licence_name"]
    if lic.startswith("Apache"):
        f.add("Keep the licence text and the copyright, patent and NOTICE notices in every "
              "copy of the weights you redistribute" + (" (you do)." if copies else "."),
              "Apache License 2.0 §4(a), (c), (d)")
        if fine_tuned and copies:
            f.add("State in the files you changed that you changed them.",
                  "Apache License 2.0 §4(b)")
        if row["acceptable_use_policy"]:
            f.add("Follow the developer's usage policy that accompanies the weights.",
                  f"{lic}: usage policy")
        f.source("https://www.apache.org/licenses/LICENSE-2.0")
    else:  # MIT and modified MIT
        f.add("Keep the copyright and permission notice in all copies or substantial "
              "portions.", "MIT License, notice condition")


def _kimi(row: dict, f: _Findings, *, users: int, revenue: float | None,
          commercial: bool, shares: bool) -> None:
    mau, cash = row["mau_threshold"], row["revenue_threshold_usd_month"]
    over_users = mau is not None and users > mau
    over_cash = revenue is not None and cash is not None and revenue > cash
    if commercial and shares and (over_users or over_cash):
        f.add(f"A commercial product with more than {mau:,} monthly active users or more than "
              f"${cash:,} monthly revenue must prominently display \"{row['attribution']}\" "
              "on its user interface.", "Modified MIT License, the added paragraph")
    elif commercial and shares:
        f.add(f"Nothing extra while the product stays at or below {mau:,} monthly active users "
              f"and ${cash:,} monthly revenue; above either, \"{row['attribution']}\" must be "
              "shown on its user interface.", "Modified MIT License, the added paragraph")


def _mistral(row: dict, f: _Findings, *, commercial: bool, shares: bool, copies: bool) -> None:
    lic = row["licence_name"]
    if "Non-Production" in lic:
        if commercial or shares:
            f.add("Only testing, research, personal or evaluation use in non-production "
                  "environments; not for supply in a commercial activity, including through "
                  "a hosted service. Anything else needs a licence from Mistral AI.",
                  f"{lic} §3.2 and §3.3", blocks=True)
        else:
            f.add("Keep to testing, research, personal or evaluation use in a non-production "
                  "environment.", f"{lic} §3.2")
    else:
        if commercial:
            f.add("Research and other non-commercial use only: commercial use (internal use "
                  "by a company included) needs a commercial licence from Mistral AI.",
                  f"{lic} §2 (licence grant)", blocks=True)
            f.source(_MRL_TEXT)
        else:
            f.add("Keep to research and other non-commercial use.", f"{lic} §2 (licence grant)")
        if copies:
            f.add("Include the Mistral Research License with any copy or derivative you "
                  "distribute.", f"{lic}, distribution conditions")


def _rules(row: dict, f: _Findings, **kw) -> None:
    """Apply the rules of ``row``'s own licence (not its base model's)."""
    name, kind = row["licence_name"], row["licence_type"]
    f.source(row["source_url"])
    if kind == "proprietary":
        f.add("The weights are not released: you cannot self-host, fine-tune or redistribute "
              "this model. It is available only through the vendor's API and apps, under "
              "their terms of service.", "no licence to the weights exists", blocks=True)
    elif name.startswith("Llama"):
        _llama(row, f, users=kw["users"], shares=kw["shares"], copies=kw["copies"],
               fine_tuned=kw["fine_tuned"], eu=kw["eu"], multimodal=kw["multimodal"])
    elif name.startswith("Qwen"):
        _qwen(row, f, users=kw["users"], commercial=kw["commercial"], shares=kw["shares"],
              copies=kw["copies"], fine_tuned=kw["fine_tuned"])
    elif name.startswith("Gemma"):
        _gemma(row, f, shares=kw["shares"], copies=kw["copies"], fine_tuned=kw["fine_tuned"])
    elif name.startswith("Mistral AI"):
        _mistral(row, f, commercial=kw["commercial"], shares=kw["shares"], copies=kw["copies"])
    elif name.startswith("DeepSeek License"):
        f.add("Commercial use is allowed, but the model licence's use-based restrictions apply.",
              "DeepSeek License Agreement v1.0 §5 and Attachment A")
        _permissive({**row, "licence_name": "MIT License"}, f, copies=kw["copies"],
                    fine_tuned=kw["fine_tuned"])
    elif name.startswith("Modified MIT"):
        _permissive(row, f, copies=kw["copies"], fine_tuned=kw["fine_tuned"])
        _kimi(row, f, users=kw["users"], revenue=kw["revenue"], commercial=kw["commercial"],
              shares=kw["shares"])
    elif kind == "permissive":
        _permissive(row, f, copies=kw["copies"], fine_tuned=kw["fine_tuned"])
    else:  # pragma: no cover - a new licence needs its rules written here
        raise NotImplementedError(f"no rules for licence {name!r} yet")


def licence_decision(
    release: str,
    *,
    monthly_users: int = 0,
    deployment: str = "internal",
    region: str = "US",
    fine_tuned: bool = False,
    multimodal: bool = False,
    monthly_revenue_usd: float | None = None,
    purpose: str = "commercial",
    data: pd.DataFrame | None = None,
) -> LicenceDecision:
    """Decide whether a deployment of a release is allowed, and under which licence.

    Parameters
    ----------
    release : str
        A release in ``model_licences``, e.g. ``"Llama 3.1 405B"`` (case, spaces and
        dashes are ignored).
    monthly_users : int, default 0
        Monthly active users of your products and services (Meta's licence counts
        those of your whole company and its affiliates, in the calendar month before
        the Llama version's release date).
    deployment : {"internal", "hosted-api", "product"}, default "internal"
        How the model reaches people; see the module docstring.
    region : str, default "US"
        Where your company has its principal place of business; ``"EU"`` matters for
        the Llama 3.2 and Llama 4 multimodal models. Other values are not checked.
    fine_tuned : bool, default False
        You deploy your own fine-tune (a derivative) rather than the release as is.
    multimodal : bool, default False
        You use a multimodal (image-input) model of the family. Releases the dataset
        marks as multimodal count as multimodal anyway.
    monthly_revenue_usd : float, optional
        Monthly revenue of the product (Kimi K2's licence uses it).
    purpose : {"commercial", "research"}, default "commercial"
        Research and other non-commercial use is what research licences allow.
    data : pandas.DataFrame, optional
        The licence table; by default ``course.load("model_licences")``.

    Returns
    -------
    LicenceDecision
        ``allowed``, ``governing_licence``, ``conditions`` with their ``clauses``,
        ``blockers`` and ``sources``. It renders itself in a notebook.

    Raises
    ------
    KeyError
        If the release is not in the table.
    ValueError
        If ``deployment`` or ``purpose`` is not one of the listed values, or
        ``monthly_users`` is negative.

    Notes
    -----
    A release fine-tuned from another one (the DeepSeek-R1 distills) is governed by
    its base model's licence as well as its own; both sets of rules are applied.
    Not legal advice: the rules follow the licence texts as retrieved in the dataset.

    Examples
    --------
    >>> d = licence_decision("Llama 3.1 405B", monthly_users=800_000_000, deployment="hosted-api")
    >>> d.allowed
    False
    >>> d.clauses[0]
    'Llama 3.1 Community License §2 (Additional Commercial Terms)'
    >>> licence_decision("Gemma 3 27B", deployment="hosted-api").allowed
    True
    >>> licence_decision("DeepSeek-R1-Distill-Llama-70B", deployment="product").governing_licence
    'Llama 3.3 Community License Agreement (base model) + MIT License (DeepSeek)'
    """
    if deployment not in DEPLOYMENTS:
        raise ValueError(f"deployment must be one of {DEPLOYMENTS}, got {deployment!r}")
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, got {purpose!r}")
    if monthly_users < 0:
        raise ValueError(f"monthly_users cannot be negative, got {monthly_users!r}")
    frame = licence_table(data)
    row = _row(release, frame)
    kw = dict(
        users=int(monthly_users), revenue=monthly_revenue_usd, commercial=purpose == "commercial",
        shares=deployment != "internal", copies=deployment == "product",
        fine_tuned=bool(fine_tuned), eu=str(region).strip().upper() == "EU",
        multimodal=bool(multimodal),
    )
    f = _Findings()
    if row["base_model"]:
        base = _row(row["base_model"], frame)
        _rules(base, f, **kw)
        f.add(f"{row['developer']}'s own changes come under the MIT License: keep its "
              "copyright and permission notice.", f"{row['release']}: licence of the developer's part")
        f.source(row["source_url"])
    else:
        _rules(row, f, **kw)
    items = [i for i in f.items if i[2]] + [i for i in f.items if not i[2]]
    return LicenceDecision(
        release=row["release"],
        allowed=not any(i[2] for i in items),
        governing_licence=row["licence_name"],
        conditions=[i[0] for i in items],
        clauses=[i[1] for i in items],
        blockers=[i[0] for i in items if i[2]],
        sources=f.sources,
    )
