"""Tests for the model_licences dataset, licence_decision, openness and the licence widgets.

Every scenario the module 02 notebook uses has a test here, named for the behaviour.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

import course  # noqa: E402
from course.calculators import _licences as L  # noqa: E402

DATA = course.load("model_licences")
RELEASES = list(DATA["release"])


def decide(release, **kw):
    return course.licence_decision(release, **kw)


def text(decision) -> str:
    return " ".join(decision.conditions + decision.clauses)


# ------------------------------------------------------------------- the dataset


def test_dataset_loads_typed_with_one_row_per_release():
    """model_licences validates against its datasheet and names each release once."""
    assert DATA["release"].is_unique
    assert str(DATA["licence_type"].dtype) == "category"
    assert str(DATA["commercial_use"].dtype) == "bool"
    assert DATA["source_url"].str.startswith("http").all()


@pytest.mark.parametrize("release", [
    "Llama 3.1 405B", "Llama 3.3 70B", "Llama 4 Scout", "Mistral 7B", "Mixtral 8x7B", "Mixtral 8x22B",
    "Mistral Large 2407", "Mistral Large 2411", "Codestral 22B", "Mistral NeMo 12B", "Qwen2.5-7B",
    "Qwen2.5-14B", "Qwen2.5-32B", "Qwen2.5-3B", "Qwen2.5-72B", "Qwen3-235B-A22B", "DeepSeek-V3",
    "DeepSeek-R1", "DeepSeek-R1-Distill-Qwen-32B", "DeepSeek-R1-Distill-Llama-70B", "Gemma 3 27B",
    "gpt-oss-20b", "gpt-oss-120b", "Kimi K2", "OLMo 7B", "Pythia 12B", "LLM360 Amber 7B", "GPT-4o",
    "Claude 3 Opus", "Gemini 1.5 Flash-8B",
])
def test_dataset_covers_the_releases_the_module_teaches(release):
    """Every release issue 4 and issue 6 name has a row."""
    assert release in RELEASES


def test_qwen25_licence_depends_on_size():
    """Qwen2.5: Apache 2.0 except the 3B (research) and 72B (Qwen License), as facts.md says."""
    kind = DATA.set_index("release")["licence_type"]
    assert {kind[r] for r in ("Qwen2.5-7B", "Qwen2.5-14B", "Qwen2.5-32B")} == {"permissive"}
    assert kind["Qwen2.5-3B"] == "research-non-commercial"
    assert kind["Qwen2.5-72B"] == "custom-conditions"


def test_thresholds_match_the_fact_sheet():
    """700M MAU for Llama, 100M for Qwen2.5-72B, 100M MAU or $20M a month for Kimi K2."""
    rows = DATA.set_index("release")
    llama = DATA[DATA["family"].str.startswith("Llama")]
    assert set(llama["mau_threshold"]) == {700_000_000}
    assert rows.loc["Qwen2.5-72B", "mau_threshold"] == 100_000_000
    assert rows.loc["Kimi K2", "mau_threshold"] == 100_000_000
    assert rows.loc["Kimi K2", "revenue_threshold_usd_month"] == 20_000_000
    assert rows.loc["Kimi K2", "attribution"] == "Kimi K2"
    assert set(llama["attribution"]) == {"Built with Llama"}


def test_mistral_exceptions_are_not_apache():
    """Mistral Large is research-only and Codestral non-production; Mixtral and NeMo are Apache."""
    rows = DATA.set_index("release")
    assert rows.loc["Mistral Large 2407", "licence_name"] == "Mistral AI Research License"
    assert rows.loc["Codestral 22B", "licence_name"] == "Mistral AI Non-Production License"
    assert rows.loc["Mixtral 8x22B", "licence_name"] == "Apache License 2.0"
    assert rows.loc["Mistral NeMo 12B", "licence_name"] == "Apache License 2.0"


def test_every_base_model_is_itself_a_release():
    """A distill's base_model points at a row, so its licence can be applied."""
    bases = DATA["base_model"].dropna()
    assert len(bases) >= 4
    assert set(bases) <= set(RELEASES)


def test_only_proprietary_releases_lack_weights():
    """No weights exactly when the licence type is proprietary."""
    assert ((~DATA["weights_open"]) == (DATA["licence_type"] == "proprietary")).all()
    assert not DATA.loc[DATA["licence_type"] == "proprietary", "commercial_use"].any()


def test_permissive_filter_above_a_size_works_with_pandas():
    """The notebook's filter exercise has an answer in the data: permissive and above 30B."""
    big = DATA[(DATA["licence_type"] == "permissive") & (DATA["params_b"] > 30)]
    assert {"Qwen2.5-32B", "Mixtral 8x22B", "DeepSeek-R1", "gpt-oss-120b"} <= set(big["release"])
    assert "Qwen2.5-72B" not in set(big["release"])


# ------------------------------------------------------------------- openness


@pytest.mark.parametrize("release", ["OLMo 7B", "Pythia 12B", "LLM360 Amber 7B"])
def test_fully_open_releases_open_weights_code_data_and_checkpoints(release):
    """OLMo, Pythia and LLM360 release weights, training code, data and checkpoints."""
    info = course.openness(release)
    assert info["class"] == "fully open"
    assert info["weights"] and info["training_code"] and info["training_data"] and info["checkpoints"]


@pytest.mark.parametrize("release", ["Llama 3.1 405B", "Qwen2.5-72B", "DeepSeek-R1", "gpt-oss-120b", "Kimi K2"])
def test_open_weight_releases_do_not_open_their_training_data(release):
    """Open-weight releases give weights only: class 'open weights', no training data."""
    info = course.openness(release)
    assert info["class"] == "open weights"
    assert info["weights"] is True and info["training_data"] is False


@pytest.mark.parametrize("release", ["GPT-4o", "Claude 3 Opus", "Gemini 1.5 Flash-8B"])
def test_closed_releases_open_nothing(release):
    """Closed models release no component at all."""
    info = course.openness(release)
    assert info["class"] == "closed"
    assert not any(info[c] for c in L.COMPONENTS)


def test_unchecked_component_is_none_not_false():
    """A blank cell means not checked, and openness says None rather than guessing."""
    assert course.openness("Llama 3.1 8B")["eval_code"] is None


def test_release_lookup_ignores_case_spaces_and_dashes():
    """'llama-3.1-405b' finds 'Llama 3.1 405B'."""
    assert course.openness("llama-3.1-405b") == course.openness("Llama 3.1 405B")
    assert decide("deepseek r1 distill llama 70b").release == "DeepSeek-R1-Distill-Llama-70B"


def test_unknown_release_raises_keyerror_with_suggestion():
    """A typo names close matches."""
    with pytest.raises(KeyError, match="Did you mean"):
        course.openness("Llama 3.1 450B")


def test_openness_table_has_one_row_per_release_and_a_class():
    """openness_table: releases × components, nullable booleans, and the class."""
    table = course.openness_table()
    assert list(table.index) == RELEASES
    assert list(table.columns) == list(L.COMPONENTS) + ["class"]
    assert str(table["eval_code"].dtype) == "boolean"


# ------------------------------------------------------------------- notebook scenarios


def test_llama31_service_above_700m_mau_needs_separate_licence():
    """800M monthly users on Llama 3.1: not allowed without a licence from Meta (§2)."""
    d = decide("Llama 3.1 405B", monthly_users=800_000_000, deployment="hosted-api")
    assert d.allowed is False
    assert d.clauses[0] == "Llama 3.1 Community License §2 (Additional Commercial Terms)"
    assert "request a licence from Meta" in d.blockers[0]
    assert "Llama 3.1 Community License Agreement" == d.governing_licence


def test_llama31_at_exactly_700m_mau_is_still_allowed():
    """The clause says 'greater than 700 million': 700M exactly is allowed."""
    assert decide("Llama 3.1 70B", monthly_users=700_000_000, deployment="hosted-api").allowed


def test_llama_user_threshold_applies_even_to_internal_use():
    """Meta counts all the licensee's products, so internal use at 800M MAU is blocked too."""
    assert not decide("Llama 3.3 70B", monthly_users=800_000_000, deployment="internal").allowed


def test_llama_service_must_display_built_with_llama_and_follow_the_aup():
    """Making Llama available: 'Built with Llama' (§1.b.i) and the AUP (§1.b.iv)."""
    d = decide("Llama 3.1 8B", monthly_users=1_000, deployment="hosted-api")
    assert d.allowed
    assert "Built with Llama" in text(d)
    assert any("§1.b.iv" in c for c in d.clauses)


def test_gemma_hosted_api_is_allowed_and_counts_as_distribution():
    """A hosted API on Gemma is allowed; hosting is Distribution, so §3.1 and §3.2 apply."""
    d = decide("Gemma 3 27B", monthly_users=5_000_000, deployment="hosted-api")
    assert d.allowed
    assert d.governing_licence == "Gemma Terms of Use"
    joined = text(d)
    assert "Gemma Terms of Use §1.1(b)" in d.clauses
    assert "Prohibited Use Policy" in joined
    assert "use restrictions into your own terms" in joined
    assert "Notice" not in joined  # the Notice file is for copies, not a hosted service


def test_gemma_shipped_copies_need_a_notice_file():
    """Shipping Gemma (not hosting it) adds the Notice text file."""
    assert "Notice" in text(decide("Gemma 2 27B", deployment="product"))


def test_shipping_qwen25_72b_fine_tune_is_allowed_with_built_with_qwen():
    """A shipped fine-tune of Qwen2.5-72B: allowed, 'Built with Qwen' or 'Improved using Qwen'."""
    d = decide("Qwen2.5-72B", monthly_users=2_000_000, deployment="product", fine_tuned=True)
    assert d.allowed
    assert d.governing_licence == "Qwen License Agreement"
    joined = text(d)
    assert "Built with Qwen" in joined and "Improved using Qwen" in joined
    assert "100,000,000" in joined  # the threshold is stated as a condition
    assert "start with" not in joined  # Qwen has no naming rule (Llama does)


def test_qwen25_72b_commercial_above_100m_mau_needs_licence():
    """Above 100M monthly users, commercial use of Qwen2.5-72B needs Alibaba Cloud's licence."""
    d = decide("Qwen2.5-72B", monthly_users=150_000_000, deployment="hosted-api")
    assert not d.allowed
    assert "Alibaba Cloud" in d.blockers[0]


def test_product_on_r1_distill_llama70b_is_governed_by_llama33_plus_mit():
    """DeepSeek-R1-Distill-Llama-70B: Llama 3.3's licence (its base) plus MIT for DeepSeek's part."""
    d = decide("DeepSeek-R1-Distill-Llama-70B", monthly_users=1_000_000, deployment="product")
    assert d.allowed
    assert d.governing_licence.startswith("Llama 3.3 Community License Agreement")
    assert "MIT" in d.governing_licence
    assert any(c.startswith("Llama 3.3 Community License") for c in d.clauses)
    assert "Built with Llama" in text(d)
    assert any("MIT" in c for c in d.conditions)


def test_r1_distill_llama_inherits_the_700m_threshold():
    """The base model's threshold binds the distill too."""
    assert not decide("DeepSeek-R1-Distill-Llama-8B", monthly_users=900_000_000).allowed


def test_r1_distill_qwen_is_apache_plus_mit():
    """Qwen-based distills come under Apache 2.0 (their base) plus MIT."""
    d = decide("DeepSeek-R1-Distill-Qwen-32B", monthly_users=900_000_000, deployment="product")
    assert d.allowed
    assert d.governing_licence.startswith("Apache License 2.0")
    assert any("Apache License 2.0" in c for c in d.clauses)


def test_llama32_multimodal_eu_company_not_allowed():
    """An EU-domiciled company gets no rights to Llama 3.2's multimodal models."""
    d = decide("Llama 3.2 11B Vision", region="EU", deployment="product")
    assert not d.allowed
    assert "Acceptable Use Policy" in d.clauses[0]
    assert "EU" in d.blockers[0]


def test_llama32_multimodal_us_company_allowed():
    """The same deployment by a US company is allowed."""
    assert decide("Llama 3.2 90B Vision", region="US", deployment="product").allowed


def test_llama32_text_model_in_eu_is_allowed_unless_used_multimodally():
    """The EU limit is about multimodal models: the text-only 3B is fine, unless flagged multimodal."""
    assert decide("Llama 3.2 3B", region="EU", deployment="hosted-api").allowed
    assert not decide("Llama 3.2 3B", region="EU", deployment="hosted-api", multimodal=True).allowed


def test_llama4_is_multimodal_so_eu_company_not_allowed():
    """Llama 4 models are natively multimodal: the EU limit applies to them."""
    assert not decide("Llama 4 Scout", region="eu").allowed


def test_eu_limit_does_not_touch_llama31():
    """Llama 3.1 has no regional limit."""
    assert decide("Llama 3.1 405B", region="EU", multimodal=True).allowed


def test_mistral_large_commercial_use_needs_commercial_licence():
    """Mistral Large 2407/2411: the research licence gives no commercial use, even internally."""
    for release in ("Mistral Large 2407", "Mistral Large 2411"):
        d = decide(release, deployment="internal")
        assert not d.allowed
        assert "commercial licence from Mistral AI" in d.blockers[0]


def test_mistral_large_research_use_is_allowed():
    """Non-commercial research use is what the Mistral Research License grants."""
    assert decide("Mistral Large 2407", purpose="research").allowed


def test_codestral_hosted_service_not_allowed_but_research_internal_is():
    """Codestral's non-production licence forbids hosted services, even free ones."""
    assert not decide("Codestral 22B", deployment="hosted-api", purpose="research").allowed
    assert decide("Codestral 22B", deployment="internal", purpose="research").allowed


def test_qwen25_3b_is_research_only():
    """Qwen2.5-3B: commercial use needs a separate licence; research use is allowed."""
    assert not decide("Qwen2.5-3B", deployment="internal").allowed
    assert decide("Qwen2.5-3B", purpose="research").allowed


APACHE = list(DATA.loc[DATA["licence_name"].str.startswith("Apache"), "release"])


@pytest.mark.parametrize("release", APACHE)
def test_apache_models_allowed_at_any_scale_keep_notices(release):
    """Apache 2.0 releases: allowed even at a billion users; keep the licence and notices."""
    d = decide(release, monthly_users=1_000_000_000, deployment="product", fine_tuned=True)
    assert d.allowed
    assert any(c.startswith("Apache License 2.0 §4") for c in d.clauses)
    assert "State in the files you changed" in text(d)


def test_gpt_oss_adds_its_usage_policy():
    """gpt-oss is Apache 2.0 plus a usage policy."""
    assert "usage policy" in text(decide("gpt-oss-120b", deployment="hosted-api"))


@pytest.mark.parametrize("release", ["GPT-4o", "Claude 3 Opus", "Gemini 1.5 Flash-8B"])
@pytest.mark.parametrize("deployment", L.DEPLOYMENTS)
def test_closed_model_cannot_be_self_hosted(release, deployment):
    """No weights, so no self-hosting, whatever the deployment."""
    d = decide(release, deployment=deployment)
    assert not d.allowed
    assert "weights are not released" in d.blockers[0]


def test_shared_llama_fine_tune_name_must_start_with_llama():
    """A fine-tune made available must carry 'Llama' at the start of its name; internal use need not."""
    assert "must start with \"Llama\"" in text(decide("Llama 3.3 70B", deployment="hosted-api", fine_tuned=True))
    assert "must start with" not in text(decide("Llama 3.3 70B", deployment="internal", fine_tuned=True))


def test_kimi_k2_above_100m_mau_must_display_kimi_k2_but_stays_allowed():
    """Kimi K2's modified MIT asks for attribution, not a licence, above 100M MAU."""
    d = decide("Kimi K2", monthly_users=150_000_000, deployment="hosted-api")
    assert d.allowed
    assert any("must prominently display \"Kimi K2\"" in c for c in d.conditions)


def test_kimi_k2_revenue_above_20m_a_month_also_triggers_attribution():
    """Either trigger is enough: $25M a month with few users."""
    d = decide("Kimi K2", monthly_users=10_000, monthly_revenue_usd=25_000_000, deployment="product")
    assert any("must prominently display" in c for c in d.conditions)
    small = decide("Kimi K2", monthly_users=10_000, monthly_revenue_usd=1_000_000, deployment="product")
    assert not any("must prominently display" in c for c in small.conditions)


def test_deepseek_v3_original_weights_carry_use_restrictions():
    """DeepSeek-V3 (Dec 2024) weights: commercial use allowed, under the model licence's restrictions."""
    d = decide("DeepSeek-V3", deployment="hosted-api")
    assert d.allowed
    assert any("Attachment A" in c for c in d.clauses)
    assert decide("DeepSeek-R1", monthly_users=2_000_000_000, deployment="product").allowed


# ------------------------------------------------------------------- invariants and errors


@pytest.mark.parametrize("deployment", L.DEPLOYMENTS)
def test_every_release_gives_a_well_formed_decision(deployment):
    """For every release: clauses match conditions, blockers decide allowed, sources are URLs."""
    for release in RELEASES:
        d = decide(release, monthly_users=50_000_000, deployment=deployment, fine_tuned=True)
        assert len(d.conditions) == len(d.clauses) > 0
        assert d.allowed == (not d.blockers)
        assert d.conditions[: len(d.blockers)] == d.blockers
        assert d.sources and all(u.startswith("http") for u in d.sources)


@pytest.mark.parametrize("bad", [dict(deployment="cloud"), dict(purpose="fun"), dict(monthly_users=-1)])
def test_bad_arguments_raise_valueerror(bad):
    """Unknown deployments or purposes and negative user counts are refused."""
    with pytest.raises(ValueError):
        decide("Llama 3.1 8B", **bad)


def test_decision_renders_as_html_and_text():
    """The decision shows its verdict, licence, clauses and the not-legal-advice note."""
    d = decide("Llama 3.1 405B", monthly_users=800_000_000, deployment="hosted-api")
    page = d._repr_html_()
    assert "NOT ALLOWED" in page and "§2" in page and "Not legal advice" in page
    assert "&quot;Built with Llama&quot;" in page  # escaped
    assert str(d).startswith("Llama 3.1 405B: NOT ALLOWED")


def test_decision_accepts_a_custom_table():
    """data= lets a learner pass an edited table (e.g. a licence that changed)."""
    edited = DATA.copy()
    edited.loc[edited["release"] == "Llama 3.1 8B", "mau_threshold"] = 1_000
    assert not decide("Llama 3.1 8B", monthly_users=5_000, data=edited).allowed


def test_public_names_are_in_course_all():
    """The licence helpers are part of the public API."""
    for name in ("licence_decision", "LicenceDecision", "openness", "openness_table",
                 "licence_heatmap", "licence_explorer"):
        assert name in course.__all__


def test_import_course_does_not_import_the_licence_modules():
    """import course stays light: the licence modules load on first use."""
    code = "import sys, course; print('course.calculators._licences' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------- widgets


def test_heatmap_draws_on_given_axes_and_labels_classes():
    """licence_heatmap takes ax=, returns it, and labels each release with its class."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = course.licence_heatmap(["Pythia 12B", "GPT-4o"], ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Pythia 12B (fully open)", "GPT-4o (closed)"]
    plt.close(fig)


def test_explorer_shows_the_decision_for_its_inputs():
    """Changing the widget's inputs re-runs licence_decision and updates the output."""
    box = course.licence_explorer(release="Llama 3.1 405B")
    assert "ALLOWED" in box.summary.value and "NOT ALLOWED" not in box.summary.value
    box.inputs["monthly_users"].value = 800_000_000
    assert "NOT ALLOWED" in box.summary.value and not box.result.allowed
    box.inputs["release"].value = "Gemma 3 27B"
    assert box.result.allowed and "Gemma Terms of Use" in box.summary.value
