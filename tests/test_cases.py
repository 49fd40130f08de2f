"""Reviewed per-question cases: the kinds of question a license's text decides differently from a facet's general
verdict (a listed restricted use, keeping copyleft code closed, using the licensor's marks), asked the way people
ask them."""

from __future__ import annotations

import pytest

from assistant.facts import facts_for
from assistant.reason import decide

DECIDED = "Decided for this question"

# (license, facet, question, verdict the text gives for that question)
CASES = [
    # BigScience RAIL 1.0 (Attachment A, numbered)
    (
        "bigscience-rail-1.0",
        "acceptable_use",
        "Can I put BLOOM in a symptom-checking app that diagnoses patients?",
        "no",
    ),
    ("bigscience-rail-1.0", "acceptable_use", "Is it OK to use BLOOM to churn out fake news before an election?", "no"),
    (
        "bigscience-rail-1.0",
        "acceptable_use",
        "Could I run a Twitter bot on BLOOM without disclosing the posts are AI?",
        "no",
    ),
    ("bigscience-rail-1.0", "field_of_use", "Can an immigration office use BLOOM to screen asylum claims?", "no"),
    (
        "bigscience-rail-1.0",
        "termination",
        "Can BigScience revoke my license after I downloaded the weights?",
        "conditional",
    ),
    # BigScience OpenRAIL-M (Attachment A, lettered)
    ("bigscience-open-rail-m", "acceptable_use", "May I use the model for harassing my ex online?", "no"),
    ("bigscience-open-rail-m", "acceptable_use", "Can I make deepfakes of politicians with it?", "no"),
    ("bigscience-open-rail-m", "acceptable_use", "Is a social scoring system for citizens allowed?", "no"),
    (
        "bigscience-open-rail-m",
        "acceptable_use",
        "Can they update the model remotely and change my outputs?",
        "conditional",
    ),
    # CreativeML Open RAIL++-M and Open RAIL-M (unnumbered lists)
    ("bigscience-open-rail-m2", "acceptable_use", "Can SDXL be used for predictive policing?", "no"),
    ("bigscience-open-rail-m2", "acceptable_use", "Could I generate images sexualizing minors?", "no"),
    ("stable-diffusion-2022-08-22", "acceptable_use", "Can I use Stable Diffusion to read X-rays for a clinic?", "no"),
    (
        "stable-diffusion-2022-08-22",
        "acceptable_use",
        "Can I use it to produce images that discriminate against immigrants?",
        "no",
    ),
    ("stable-diffusion-2022-08-22", "termination", "Can Stability restrict how I use SD remotely?", "conditional"),
    # BigCode OpenRAIL-M
    ("bigcode-open-rail-m-v1", "acceptable_use", "Can I get StarCoder to write ransomware for me?", "no"),
    ("bigcode-open-rail-m-v1", "acceptable_use", "Can I use it for doxxing journalists?", "no"),
    ("bigcode-open-rail-m-v1", "acceptable_use", "Can the police use StarCoder tools?", "conditional"),
    # LTXV Open Weights License (both releases)
    ("ltxv-owl-2025-04-17", "acceptable_use", "Can I make a deepfake video of a celebrity?", "no"),
    ("ltxv-owl-2025-04-17", "acceptable_use", "Can LTXV be used to build computer viruses?", "no"),
    ("ltxv-owl-2025-05-05", "acceptable_use", "Can I use LTXV for tenant screening that rejects people?", "no"),
    ("ltxv-owl-2025-05-05", "termination", "Does Lightricks have a kill switch for the model?", "conditional"),
    # Playground v2 and Fair AI Public License 1.0-SD
    ("playground-v2-community", "output_use", "Can I use Playground v2 images to train my own diffusion model?", "no"),
    ("playground-v2-community", "output_use", "Can I use Playground outputs as training data for an LLM?", "yes"),
    ("playground-v2-community", "acceptable_use", "Can I use Playground v2 to produce disinformation?", "no"),
    ("playground-v2-community", "acceptable_use", "Is a fully automated loan decision system allowed?", "no"),
    ("fair-ai-public-1.0-sd", "acceptable_use", "Can the model be used for medical advice?", "no"),
    ("fair-ai-public-1.0-sd", "acceptable_use", "Could it write libelous posts about a competitor?", "no"),
    (
        "fair-ai-public-1.0-sd",
        "redistribution",
        "Can I offer my fine-tuned version as a SaaS and keep it closed?",
        "no",
    ),
    ("fair-ai-public-1.0", "derivatives", "Can I relicense my modified model under my own terms?", "no"),
    # EXAONE, HyperCLOVA X SEED, OpenAtom, Open Aleph
    ("exaone-ai-model-1.1-nc", "acceptable_use", "Can I reverse-engineer EXAONE's architecture?", "no"),
    ("exaone-ai-model-1.1-nc", "acceptable_use", "Can I spread misinformation with EXAONE?", "no"),
    ("exaone-ai-model-1.1-nc", "acceptable_use", "Can I use it to pirate copyrighted books?", "no"),
    ("hyperclova-x-seed-2025", "acceptable_use", "Is employee surveillance with HyperCLOVA X allowed?", "conditional"),
    ("hyperclova-x-seed-2025", "acceptable_use", "Can I use it to threaten people?", "no"),
    ("openatom-model-1.0", "acceptable_use", "Can I use the model for unlawful purposes?", "no"),
    ("open-aleph-1.0", "field_of_use", "May a city municipality use the model in public administration?", "no"),
    ("open-aleph-1.0", "acceptable_use", "Can I use it to discriminate against job applicants?", "no"),
    # Responsible AI Source Code License
    (
        "responsible-ai-source-1.0",
        "acceptable_use",
        "Can I use it to infer people's sexual orientation from photos?",
        "no",
    ),
    ("responsible-ai-source-1.0", "field_of_use", "Can an insurer use it to set insurance premiums?", "no"),
    ("responsible-ai-source-1.1", "acceptable_use", "Can it generate synthetic voices of real people?", "no"),
    ("responsible-ai-source-1.1", "field_of_use", "Can it predict crimes before they happen?", "no"),
    ("responsible-ai-source-1.1", "termination", "Can the licensor remotely disable the software?", "conditional"),
    # Gemma Prohibited Use Policy (items the earlier cases did not cover)
    ("gemma-pup-2024-02-21", "acceptable_use", "Can Gemma give instructions for buying illegal drugs?", "no"),
    ("gemma-pup-2024-02-21", "acceptable_use", "Can I use Gemma to encourage self-harm?", "no"),
    ("gemma-pup-2024-02-21", "acceptable_use", "Can Gemma be a legal advice bot?", "conditional"),
    # SOML
    ("soml-1.0", "commercial_use", "Can I use the software to build a closed-source model?", "no"),
    ("soml-1.0", "derivatives", "Can I relicense my changes to the software?", "no"),
    # Copyleft and network clauses
    ("gpl-3.0", "derivatives", "Can I fork a GPLv3 project and sell it as proprietary software?", "no"),
    ("gpl-3.0", "redistribution", "Can I ship binaries without the source code?", "no"),
    ("gpl-3.0", "redistribution", "Can I run my modified GPL app as a web service and not publish my changes?", "yes"),
    ("gpl-2.0", "derivatives", "Can I relicense a GPL-2.0 program under MIT after modifying it?", "no"),
    ("gpl-2.0", "redistribution", "If I only host it on our servers as SaaS, must I release the source?", "yes"),
    ("agpl-3.0", "redistribution", "Can I host my modified AGPL code as a SaaS without releasing source?", "no"),
    ("agpl-3.0", "derivatives", "Can my fork of an AGPL project be closed-source?", "no"),
    ("lgpl-2.1", "derivatives", "Can my proprietary program dynamically link to an LGPL-2.1 library?", "conditional"),
    ("lgpl-2.1", "derivatives", "Can I patch the library and keep my changes secret?", "no"),
    ("lgpl-3.0", "redistribution", "Can I statically link an LGPL-3.0 library into a commercial app?", "conditional"),
    ("lgpl-3.0", "redistribution", "Can I offer my service backend built on LGPL code without sharing it?", "yes"),
    ("mpl-2.0", "derivatives", "Can I bundle MPL-2.0 files with my closed-source code?", "yes"),
    ("mpl-2.0", "derivatives", "Can I keep my changes to the MPL files private and ship them?", "no"),
    ("cc-by-sa-4.0", "derivatives", "Can I publish my remix of a CC BY-SA image as all rights reserved?", "no"),
    ("cc-by-sa-3.0", "redistribution", "Can I relicense an adaptation of a BY-SA 3.0 work?", "no"),
    ("cc-by-nc-sa-4.0", "derivatives", "Can I put my adaptation under a proprietary license?", "no"),
    ("odbl-1.0", "derivatives", "Can I keep my improved OpenStreetMap-derived database proprietary?", "no"),
    ("cdla-sharing-1.0", "redistribution", "Can I publish the enhanced data under a different license?", "no"),
    # Naming and trademarks
    ("apache-2.0", "naming", "Can I use the Apache feather logo on my product?", "no"),
    ("apache-2.0", "naming", "Can I say my fork is endorsed by the original project?", "no"),
    ("bsd-new", "naming", "Can I use the original authors' names to promote my product?", "no"),
    ("cc-by-4.0", "naming", "Can I use the creator's trademarks in my product's branding?", "no"),
    ("cc-by-nc-nd-4.0", "naming", "Can I imply the photographer endorses my app?", "no"),
    ("cc-by-sa-3.0", "naming", "Can I claim the original author endorsed my adaptation?", "no"),
    ("gpl-3.0", "naming", "Can I use the project's trademarks for my fork?", "no"),
    # Outputs and data
    ("cc-by-nc-4.0", "derivatives", "Can I monetize a remix of a CC BY-NC dataset?", "no"),
    ("cc-by-nc-sa-4.0", "redistribution", "Can my startup redistribute the images to paying clients?", "no"),
    ("c-uda-1.0", "field_of_use", "Can I reprint the C-UDA photos in a magazine?", "no"),
    ("c-uda-1.0", "commercial_use", "Can my company train a model on C-UDA data?", "yes"),
    ("openmdw-1.0", "output_use", "Can I use OpenMDW model outputs to train my own model?", "yes"),
]

# (license, facet, benign question): a phrase that keeps the facet's general verdict
BENIGN = [
    ("bigscience-rail-1.0", "acceptable_use", "Can I use BLOOM to detect fake news?"),
    ("bigscience-rail-1.0", "acceptable_use", "Can BLOOM help with medical research literature summaries?"),
    ("bigscience-open-rail-m", "acceptable_use", "Can I make a deepfake of my colleague with their consent?"),
    ("stable-diffusion-2022-08-22", "acceptable_use", "Can I use it for research on bias in image models?"),
    ("bigcode-open-rail-m-v1", "acceptable_use", "Can StarCoder help build a malware detection tool?"),
    ("bigcode-open-rail-m-v1", "acceptable_use", "Can StarCoder help me diagnose bugs in my code?"),
    ("ltxv-owl-2025-04-17", "acceptable_use", "Can I write a crime novel about police with it?"),
    ("playground-v2-community", "acceptable_use", "Can I use it to classify discriminatory memes?"),
    ("fair-ai-public-1.0-sd", "redistribution", "Can I modify it for internal use only?"),
    ("exaone-ai-model-1.1-nc", "acceptable_use", "Can I use EXAONE to flag misinformation?"),
    ("open-aleph-1.0", "field_of_use", "Can a public university research group use it?"),
    ("responsible-ai-source-1.0", "acceptable_use", "Can I estimate age for accessibility features?"),
    ("responsible-ai-source-1.1", "acceptable_use", "Can I make synthetic videos with a watermark added?"),
    ("gemma-pup-2024-02-21", "acceptable_use", "Can Gemma power a suicide prevention helpline?"),
    ("gpl-3.0", "derivatives", "Can I keep my modifications private for internal use only?"),
    ("gpl-2.0", "redistribution", "Can I distribute binaries and run it as a hosted service too?"),
    ("agpl-3.0", "redistribution", "Can I offer an unmodified AGPL program as a SaaS?"),
    ("cc-by-sa-4.0", "derivatives", "Can I adapt it privately and not share it?"),
    ("cc-by-nc-4.0", "derivatives", "Can a nonprofit remix it for a non-commercial workshop?"),
    ("apache-2.0", "naming", "Can I say my product is powered by the Apache-licensed project?"),
    ("apache-2.0", "naming", "Can I name my fork whatever I like?"),
    ("cdla-sharing-1.0", "redistribution", "Can I keep my trained model proprietary?"),
]


@pytest.mark.parametrize(("key", "facet", "question", "verdict"), CASES)
def test_question_gets_the_verdict_the_clause_gives(key: str, facet: str, question: str, verdict: str) -> None:
    decision = decide(key, facet, figures=(), question=question)
    assert decision.verdict == verdict, (question, decision.summary)
    assert any(note.startswith(DECIDED) for note in decision.notes), question
    assert decision.sections, question


@pytest.mark.parametrize(("key", "facet", "question"), BENIGN)
def test_benign_question_keeps_the_general_verdict(key: str, facet: str, question: str) -> None:
    general = decide(key, facet)
    decision = decide(key, facet, figures=(), question=question)
    assert decision.verdict == general.verdict, (question, decision.summary)
    assert not any(note.startswith(DECIDED) for note in decision.notes), (question, decision.notes)


# The clause that makes each use-restriction list binding, which every "no" case must cite with the list item.
BINDING = {
    "bigscience-rail-1.0": "5",
    "bigscience-open-rail-m": "5",
    "bigscience-open-rail-m2": "5",
    "stable-diffusion-2022-08-22": "5",
    "bigcode-open-rail-m-v1": "4",
    "ltxv-owl-2025-04-17": "4",
    "ltxv-owl-2025-05-05": "4",
    "playground-v2-community": "1.b.iv",
    "fair-ai-public-1.0-sd": "¶27",
}


@pytest.mark.parametrize("key", sorted(BINDING))
def test_restricted_use_cases_cite_the_list_and_the_clause_that_binds_it(key: str) -> None:
    facts = facts_for(key)
    assert facts is not None
    cases = [c for c in facts.facets["acceptable_use"].cases if c.verdict == "no"]
    assert len(cases) >= 10  # every item of the list has its own case
    for case in cases:
        assert BINDING[key] in case.sections, case.summary
        assert any(s.startswith("Attachment A") or s.startswith("¶") for s in case.sections), case.summary


def test_network_use_is_decided_differently_by_gpl_and_agpl() -> None:
    question = "We run a modified version only on our servers as a SaaS; must we publish the source?"
    assert decide("gpl-3.0", "redistribution", question=question).verdict == "yes"
    assert decide("agpl-3.0", "redistribution", question=question).verdict == "no"
    assert "13" in decide("agpl-3.0", "redistribution", question=question).sections
