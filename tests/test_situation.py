"""The reading of a question: one Situation, shared by every license, whatever the phrasing."""

from __future__ import annotations

import pytest

from assistant.situation import read_situation


@pytest.mark.parametrize(
    "question",
    [
        "We're building a SaaS on top of it for our customers",
        "we'll expose it through our own API to paying clients",
        "our web app lets users chat with the model",
    ],
)
def test_a_hosted_service_is_read_as_made_available(question):
    s = read_situation(question)
    assert s.has("host") and s.makes_available is True


@pytest.mark.parametrize(
    "question",
    [
        "Can we fine-tune it on our support tickets for internal use only?",
        "fine-tune it and keep the weights in-house, never distributed",
        "We won't publish or share the model; only our staff use it",
    ],
)
def test_internal_use_is_read_as_not_made_available(question):
    assert read_situation(question).makes_available is False


def test_a_quoted_or_bare_name_for_a_published_derivative():
    s = read_situation("and if we fine-tune it and publish the weights as 'MedBot'?")
    assert s.name == "MedBot" and s.has("publish_derivative")
    assert read_situation("we will call it Llama-Med and release it").name == "Llama-Med"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Do I need to pay Meta anything?", "cost"),
        ("Can we use it without paying anything?", "permission"),
        ("Do I have to show 'Built with Llama'?", "obligation"),
        ("Is there a revenue cap?", "existence"),
        ("Who owns the images it generates?", "ownership"),
        ("Any catch?", "checklist"),
        ("What license is Mistral NeMo under?", "identity"),
        ("Is Phi-4 MIT?", "identity"),
        ("Could a dispute be heard by a court in Berlin?", "venue"),
    ],
)
def test_the_kind_of_question(question, kind):
    assert read_situation(question).kind == kind


@pytest.mark.parametrize(
    "question, kind",
    [
        # the sentence that asks decides, not a statement before it
        ("Gemma is MIT as far as I know. Can we put it in our paid app?", "permission"),
        ("We have 1B users. Can we keep using it, or must we ask for something first?", "permission"),
        # a premise ("since it is MIT") is stated, not asked
        ("Since Qwen2.5-7B is Apache 2.0, I can rename my fine-tune freely, right?", "permission"),
        ("Because Phi-4 is MIT, is there any cap on users?", "existence"),
    ],
)
def test_the_question_sentence_decides_the_kind(question, kind):
    assert read_situation(question).kind == kind


def test_the_duty_asked_about_is_not_an_act_the_user_does():
    s = read_situation("We changed the AGPL server a bit and use it in-house. Must we release the modified source?")
    assert s.kind == "obligation" and not s.has("publish_derivative", "redistribute") and s.has("modify")
    # an act in the condition of the duty is still the user's
    s = read_situation("Do we have to credit Meta if we distribute the weights?")
    assert s.kind == "obligation" and s.has("redistribute")


def test_areas_regions_and_commercial_context():
    s = read_situation("Our Paris startup wants to sell a diagnosis assistant to hospitals")
    assert "medical" in s.areas and "eu" in s.regions and s.commercial is True
    assert read_situation("for my personal hobby project, no money involved").commercial is False
    assert read_situation("Puis-je utiliser le modèle pour les projets payants de mon agence ?").commercial is True


def test_a_follow_up_keeps_what_it_does_not_restate():
    history = ["We're building a SaaS on top of Llama 3.3 70B, about 2M users. Any catch?"]
    s = read_situation("and if we fine-tune it and publish the weights as 'MedBot'?", history)
    assert s.has("host") and s.has("publish_derivative") and s.figures and s.figures[0].value == 2_000_000
    internal = read_situation("what if we keep it internal instead?", history)
    assert internal.makes_available is False and not internal.has("host")


def test_asking_for_a_license_is_not_asking_to_include_one():
    assert read_situation("Do we need to request a license from Meta?").asks_license
    assert read_situation("Do we need a separate license with 900M users?").asks_license
    assert not read_situation("Do I need to include the license text when I redistribute?").asks_license


def test_a_license_named_research_or_non_commercial_says_nothing_of_the_use():
    s = read_situation("Under the Qwen Research License, can our company put it in a product we sell?")
    assert s.commercial is True and "research" not in s.purposes
    assert read_situation("Is the Mistral Research License fine for us?").commercial is None
    s = read_situation("for non-commercial research at a university, is the research license fine?")
    assert s.commercial is False


def test_a_context_under_a_negation_is_what_the_user_does_not_do():
    s = read_situation("No startup, no customers, nothing to sell: it's a student project. Can I use FLUX.1 dev?")
    assert s.commercial is False
    s = read_situation("Nothing military or medical, just invoice parsing for our firm. Fine under Gemma?")
    assert s.areas == []
    assert read_situation("We're not based in the EU. Can we use Llama 3.2 Vision?").regions == []
    assert read_situation("We're based in the EU. Can we use Llama 3.2 Vision?").regions == ["eu"]


@pytest.mark.parametrize(
    "question, area",
    [
        ("May I make fabricated photos of a mayor at a rally that never happened?", "disinformation"),
        ("Can our bot reply to reviews without telling anyone it's AI-written?", "impersonation"),
    ],
)
def test_more_ways_to_touch_a_listed_area(question, area):
    assert area in read_situation(question).areas


def test_is_it_ok_to_leads_a_permission_question():
    assert read_situation("Is this CC BY 4.0 model fine to use in a paid app, or does the license stop that?").kind == (
        "permission"
    )


@pytest.mark.parametrize(
    "question, kind",
    [
        # "their own images" is whose images they are, not a question of who owns them
        ("Can I run a paid website where people generate their own images with FLUX.1 dev?", "permission"),
        ("Who owns the images FLUX.1 dev generates?", "ownership"),
        # permission asked "under" a license is not a question of which license applies
        ("I'd like to generate training data with Llama 2. Is that allowed under the Llama 2 license?", "permission"),
        ("Is Phi-4 actually MIT licensed now?", "identity"),
        # a law firm is where the model is used, not a governing law
        ("Gemma 3 for internal document search at our law firm: OK under the Gemma terms?", "permission"),
        ("Could a dispute about the Qwen License be decided under Californian law?", "venue"),
        ("Qwen2.5-72B-Instruct 要付授权费吗？", "cost"),
    ],
)
def test_the_kind_of_question_from_what_the_words_do(question, kind):
    assert read_situation(question).kind == kind


def test_a_us_state_is_read_as_the_us():
    assert "us" in read_situation("Could it be decided under Californian law?").regions


def test_a_license_that_describes_the_material_is_not_a_relicensing():
    described = read_situation("My lab wants to probe a model released under CC-BY-NC-4.0. Is that allowed?")
    assert not described.has("relicense")
    assert read_situation("Can I republish the weights under Apache-2.0?").has("relicense")


@pytest.mark.parametrize(
    "question",
    [
        "I generated 100k instruction pairs with Llama 2 70B and want to fine-tune Mistral 7B on them. Allowed?",
        "Can I use it to improve Mistral 7B?",
    ],
)
def test_outputs_that_feed_another_model_are_read_as_training_on_outputs(question):
    assert read_situation(question).has("train_on_outputs")


def test_a_policy_named_prohibited_does_not_make_a_restriction_question():
    s = read_situation("Bulk unsolicited promo emails: does Gemma's prohibited use policy allow generating them?")
    assert s.kind == "permission" and "spam_bots" in s.areas


def test_a_dispute_heard_somewhere_asks_about_the_venue():
    assert read_situation("Could a dispute over the Gemma 3 terms be heard in Paris?").kind == "venue"


def test_whether_the_licensor_claims_something_is_asked_of_the_licensor():
    assert read_situation("A buyer asks whether NVIDIA claims ownership of those videos. Does it?").licensor_subject
