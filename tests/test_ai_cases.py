"""Reviewed per-question cases of the AI model licenses (Llama, Gemma, Qwen, DeepSeek, Stability, FLUX, NVIDIA,
Falcon, Kimi, Hunyuan): questions whose answer the text gives differently from the facet's general verdict, asked
the way people ask them, and everyday questions that must keep the general verdict."""

from __future__ import annotations

import pytest

from assistant.figures import extract_figures
from assistant.reason import decide

DECIDED = "Decided for this question"

# (license, facet, question, verdict the text gives, a section the answer must cite)
CASES = [
    # Territory: the multimodal EU exclusion of the Llama 3.2 / Llama 4 policies
    ("llama-4-license-2025", "territory", "Our startup is based in Berlin. May we use Llama 4 Maverick?", "no", "5"),
    ("llama-4-license-2025", "territory", "Can a Dutch company fine-tune Llama 4 Scout?", "no", "5"),
    ("llama-4-cla-2025", "territory", "We are a Milan-based agency; is Llama 4 licensed to us?", "no", "1.a"),
    ("llama-4-cla-2025", "territory", "Is a company headquartered in Warsaw allowed to use Llama 4?", "no", "1.a"),
    ("llama-4-cla-2025", "territory", "Our firm is in Dublin - can we deploy Llama 4?", "no", "1.a"),
    ("llama-4-cla-2025", "territory", "Is Llama 4 available to a European company?", "no", "1.a"),
    ("llama-4-cla-2025", "territory", "I'm German, can I run Llama 4 at home?", "no", "1.a"),
    ("llama-4-cla-2025", "territory", "We're a London fintech. Can we use Llama 4?", "yes", "1.a"),
    ("llama-4-cla-2025", "territory", "Can a Swiss company use Llama 4 vision features?", "yes", "1.a"),
    ("llama-4-license-2025", "territory", "Can Norwegian researchers use Llama 4?", "yes", "5"),
    (
        "llama-4-cla-2025",
        "territory",
        "Can people in Madrid use our chatbot as end users if we're a US company?",
        "yes",
        "1.a",
    ),
    ("llama-3.2-license-2024", "territory", "Can a Spanish startup use Llama 3.2 11B Vision?", "no", "1.b.iv"),
    ("llama-3.2-license-2024", "territory", "Can a German company use the Llama 3.2 3B model?", "yes", "1.b.iv"),
    (
        "llama-3.2-license-2024",
        "territory",
        "Can our Paris office use the text-only Llama 3.2 models?",
        "yes",
        "1.b.iv",
    ),
    # Territory: Hunyuan 3D excludes the EU, the UK and South Korea; FLUX and LLaMA bar sanctioned places and proxies
    ("tencent-hunyuan-3d-2.0-cla", "territory", "Can a Korean game studio use Hunyuan 3D?", "no", "1.l"),
    ("tencent-hunyuan-3d-2.0-cla", "territory", "Can I use Hunyuan3D-2 from the UK?", "no", "1.l"),
    ("tencent-hunyuan-3d-2.0-cla", "territory", "Can an Italian company use Hunyuan 3D?", "no", "5.c"),
    ("tencent-hunyuan-3d-2.0-cla", "territory", "Can I use Hunyuan 3D in Brazil?", "yes", "1.l"),
    ("flux-1-nc", "territory", "Can I use a VPN to download FLUX.1 dev?", "no", "4(f)"),
    ("flux-1-nc", "territory", "Can someone in Iran use FLUX.1 [dev]?", "no", "4(f)"),
    ("llama-license-2023", "territory", "Can a lab in North Korea use the original LLaMA?", "no", "2.e"),
    # Output use
    ("stability-ai-community-2024", "output_use", "Can I use SD3 images to pretrain my own base model?", "no", "IV.b"),
    (
        "stability-ai-community-2024",
        "output_use",
        "Can I distill SDXL outputs into a new foundation model?",
        "no",
        "IV.b",
    ),
    (
        "stability-ai-community-2024",
        "output_use",
        "Can I train a LoRA for SDXL on images SDXL generated?",
        "conditional",
        "IV.b",
    ),
    (
        "llama-3.1-license-2024",
        "output_use",
        "Can I use Llama 3.1 outputs to train another model?",
        "conditional",
        "1.b.i",
    ),
    (
        "llama-3.3-license-2024",
        "output_use",
        "Can I distill Llama 3.3 into a smaller model and release it under my own brand?",
        "no",
        "1.b.i",
    ),
    (
        "llama-2-license-2023",
        "output_use",
        "Can I fine-tune another Llama 2 model on Llama 2 outputs?",
        "conditional",
        "1.b.v",
    ),
    ("llama-2-license-2023", "output_use", "Can I publish blog posts written by Llama 2?", "conditional", "1.b.v"),
    ("flux-1-nc", "output_use", "Could FLUX outputs train a competitor to FLUX?", "no", "2(d)"),
    ("qwen-2024", "output_use", "Can I train my own model on Qwen outputs?", "conditional", "5.b"),
    ("qwen-2024", "output_use", "Can I release a model trained on Qwen data without attribution?", "no", "5.b"),
    ("tongyi-qianwen-2023", "output_use", "Can I use Qwen outputs to fine-tune Qwen itself?", "yes", "5.b"),
    ("tongyi-qianwen-2023", "output_use", "Can I sell articles written by Tongyi Qianwen?", "yes", "5.b"),
    ("gemma-tou-2024-04-01", "output_use", "Can I distill Gemma into my own small model?", "conditional", "1.1(e)"),
    ("deepseek-la-1.0", "output_use", "Can I train my own model on synthetic data from DeepSeek?", "conditional", "1"),
    (
        "tencent-hunyuan-3d-2.0-cla",
        "output_use",
        "Can I sell 3D assets Hunyuan generates in my game?",
        "conditional",
        "6.d",
    ),
    # Naming and trademarks
    (
        "llama-3.1-license-2024",
        "naming",
        "Can I release my fine-tune as 'Acme-Chat' with no mention of Llama in the name?",
        "no",
        "1.b.i",
    ),
    ("llama-4-cla-2025", "naming", "Could we rebrand our Llama 4 fine-tune as AcmeGPT?", "no", "1.b.i"),
    ("llama-3.2-license-2024", "naming", "Can my model's name begin with Llama, like Llama-Acme?", "yes", "1.b.i"),
    ("llama-3.3-license-2024", "naming", "Can we say our app is approved by Meta?", "no", "5.a"),
    ("llama-2-license-2023", "naming", "Can I advertise my chatbot as made by Meta?", "no", "5.a"),
    ("stability-ai-community-2024", "naming", "Can I use the Stability AI logo on my app?", "no", "IV.c(i)"),
    ("stability-ai-nc-2023-12-06", "naming", "Can I put Stability's trademark on my research demo?", "no", "4.a"),
    ("flux-1-nc", "naming", "Can I call my fine-tune the official FLUX upgrade?", "no", "3(e)"),
    ("nvidia-open-model-2025-04-28", "naming", "Can I market my fine-tune as certified by NVIDIA?", "no", "5"),
    ("falcon-2-11b-1.0", "naming", "Can we announce our Falcon 2 derivative without mentioning TII?", "no", "6.1"),
    # Termination and updates
    ("flux-1-nc", "termination", "Can Black Forest Labs end my license even if I follow all the rules?", "yes", "8(b)"),
    ("flux-1-nc", "termination", "Can BFL revoke the license whenever they like?", "yes", "8(b)"),
    ("llama-license-2023", "termination", "Can Meta terminate my LLaMA license without any breach?", "yes", "7.b"),
    (
        "falcon-2-11b-1.0",
        "acceptable_use",
        "Can I stick to the AUP version from when I downloaded Falcon 2?",
        "no",
        "5.3",
    ),
    ("falcon-2-11b-1.0", "termination", "If TII updates the AUP, can I ignore the new version?", "no", "5.3"),
    ("gemma-tou-2025-03-24", "termination", "Can Google remotely disable my Gemma deployment?", "conditional", "3.2"),
    ("deepseek-la-1.0", "termination", "Can DeepSeek restrict my usage remotely?", "conditional", "7"),
    (
        "stability-ai-community-2024",
        "termination",
        "What happens to our license if our revenue grows past the limit?",
        "no",
        "III",
    ),
    # Patents and lawsuits
    (
        "llama-3.1-license-2024",
        "patent",
        "If we sue Meta for patent infringement, do we keep our Llama license?",
        "no",
        "5.c",
    ),
    ("llama-4-cla-2025", "termination", "What if we assert our patents against Meta over Llama 4?", "no", "5.c"),
    (
        "deepseek-la-1.0",
        "patent",
        "Does the patent grant survive if we start patent litigation over DeepSeek?",
        "no",
        "3",
    ),
    ("falcon-2-11b-1.0", "patent", "Do we lose the patent license if we sue someone over Falcon 2?", "no", "3.1"),
    ("qwen-2024", "patent", "What if we file a lawsuit claiming Qwen infringes our IP?", "no", "6.c"),
    # Pass-through of the use restrictions
    (
        "llama-3.3-license-2024",
        "acceptable_use",
        "Can I give my users my own terms without Meta's use policy?",
        "no",
        "1.b.iv",
    ),
    ("llama-4-license-2025", "acceptable_use", "Can our customers use Llama 4 for whatever they want?", "no", "¶2"),
    ("gemma-tou-2024-04-01", "redistribution", "Can I distribute my Gemma fine-tune under MIT?", "no", "3.1"),
    (
        "gemma-tou-2025-03-24",
        "acceptable_use",
        "Can our ToS let customers use Gemma without restrictions?",
        "no",
        "3.1",
    ),
    (
        "deepseek-la-1.0",
        "redistribution",
        "Can I ship a DeepSeek fine-tune under our own terms of service that leave out the use restrictions?",
        "no",
        "4.a",
    ),
    ("flux-1-nc", "redistribution", "Can I relicense my FLUX LoRA under Apache 2.0?", "no", "4(d)"),
    (
        "llama-3.3-license-2024",
        "redistribution",
        "Can I relicense my Llama 3.3 fine-tune under Apache 2.0?",
        "no",
        "1.b.i",
    ),
    # Hosting, registration, attribution and research use
    ("stability-ai-nc-2023-12-06", "redistribution", "Can I offer SD3 through my API if it's free?", "no", "1.b"),
    ("stability-ai-nc-2023-12-06", "redistribution", "Can I re-upload the weights to Hugging Face?", "yes", "1.b"),
    ("stability-ai-nc-2023-12-06", "redistribution", "Can I mirror the model files for download?", "yes", "1.b"),
    ("stability-ai-nc-2023-12-06", "field_of_use", "Can a university lab use it for research?", "conditional", "1.a"),
    ("llama-license-2023", "field_of_use", "Can a university use LLaMA for academic research?", "conditional", "1.a"),
    (
        "stability-ai-community-2024",
        "commercial_use",
        "Can we use it commercially without registering with Stability?",
        "no",
        "III",
    ),
    (
        "llama-3.3-license-2024",
        "attribution",
        "Do I need Built with Llama if we only use it internally?",
        "yes",
        "1.b.i",
    ),
    ("stability-ai-community-2024", "attribution", "Can we ship the model without crediting Stability?", "no", "IV.a"),
    ("qwen-2024", "user_threshold", "Does the 100M MAU limit apply to academic research?", "yes", "4"),
    ("moonshot-ai-modified-mit-2025", "commercial_use", "Can I use Kimi K2 for a hobby project?", "yes", "¶4"),
]

# (license, facet, benign question): everyday phrasings that must keep the facet's general verdict
BENIGN = [
    ("llama-4-cla-2025", "territory", "Can Llama 4 translate German text?"),
    ("llama-4-cla-2025", "territory", "Can a company in Japan use Llama 4?"),
    ("llama-3.2-license-2024", "territory", "Is Llama 3.2 licensed worldwide?"),
    ("flux-1-nc", "territory", "Can I use FLUX.1 dev in Canada?"),
    ("stability-ai-community-2024", "output_use", "Can I sell images made with SD3?"),
    ("stability-ai-community-2024", "termination", "Can Stability terminate if I breach the AUP?"),
    ("llama-3.1-license-2024", "naming", "Can I name my fine-tune Llama-3.1-Acme?"),
    ("llama-3.1-license-2024", "output_use", "Are Llama 3.1 outputs covered by the license?"),
    (
        "deepseek-la-1.0",
        "redistribution",
        "Can I redistribute DeepSeek under our own terms that include the use restrictions?",
    ),
    ("gemma-tou-2024-04-01", "redistribution", "Can I share my Gemma fine-tune on Hugging Face?"),
    ("stability-ai-nc-2023-12-06", "field_of_use", "Can my startup use it for research that goes into our product?"),
    ("llama-2-license-2023", "output_use", "Can I use Llama 2 outputs to train Mistral?"),
    ("qwen-2024", "user_threshold", "Does Qwen have a user limit for commercial products?"),
    ("falcon-2-11b-1.0", "acceptable_use", "Does Falcon 2 have an acceptable use policy?"),
    ("tencent-hunyuan-3d-2.0-cla", "output_use", "Can I use Hunyuan 3D outputs to train another 3D model?"),
]


@pytest.mark.parametrize(("key", "facet", "question", "verdict", "section"), CASES)
def test_question_gets_the_verdict_its_clause_gives(
    key: str, facet: str, question: str, verdict: str, section: str
) -> None:
    decision = decide(key, facet, figures=(), question=question)
    assert decision.verdict == verdict, (question, decision.summary)
    assert any(note.startswith(DECIDED) for note in decision.notes), (question, decision.notes)
    assert any(s == section or s.endswith(":" + section) for s in decision.sections), (question, decision.sections)


@pytest.mark.parametrize(("key", "facet", "question"), BENIGN)
def test_everyday_question_keeps_the_general_verdict(key: str, facet: str, question: str) -> None:
    general = decide(key, facet)
    decision = decide(key, facet, figures=(), question=question)
    assert decision.verdict == general.verdict, (question, decision.summary)
    assert not any(note.startswith(DECIDED) for note in decision.notes), (question, decision.notes)


@pytest.mark.parametrize("place", ["the UK", "Switzerland", "Norway", "Zurich", "Oslo"])
def test_non_eu_european_countries_are_not_excluded_by_the_llama_4_eu_clause(place: str) -> None:
    decision = decide("llama-4-license-2025", "territory", question=f"Can a company in {place} use Llama 4?")
    assert decision.verdict == "yes", (place, decision.summary)


@pytest.mark.parametrize("place", ["the UK", "Seoul", "Germany", "Lisbon"])
def test_hunyuan_excluded_territories_are_refused(place: str) -> None:
    decision = decide("tencent-hunyuan-3d-2.0-cla", "territory", question=f"Can we use Hunyuan 3D in {place}?")
    assert decision.verdict == "no", (place, decision.summary)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Our revenue is $500k; will the Stability license end?", "yes"),
        ("Our annual revenue just reached $3M; do we keep the Stability license?", "no"),
    ],
)
def test_a_revenue_figure_decides_whether_the_stability_license_ends(question: str, verdict: str) -> None:
    decision = decide("stability-ai-community-2024", "termination", extract_figures(question), question=question)
    assert decision.verdict == verdict, decision.summary
    assert "III" in decision.sections
