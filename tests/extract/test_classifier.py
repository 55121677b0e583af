"""The trained item/action classifier in models/: it loads offline, reads minutes' wording, retrains the same,
and the rules-only switch gives exactly the rules' output (issue 4, "Models")."""

import json
import socket

import pytest
from click.testing import CliRunner

from pipeline import train
from pipeline.cli import cli
from pipeline.evaluate import HELD_OUT
from pipeline.extract import classify
from pipeline.extract.classify import ACTION, ITEM, configured, load, scores
from pipeline.run import run

# written for this test in the general wording of minutes, not taken from the training documents
ITEMS_AND_ACTIONS = [
    "The Clerk to write to the landowner about the overgrown hedge",
    "The Director agreed to circulate the revised figures to members before the next meeting",
    "That the Head of Finance be authorised to pay the invoice for the grass cutting",
]
ITEMS_NOT_ACTIONS = [
    "The minutes of the meeting held on 3 March were approved as a correct record and signed by the Chair",
    "It was agreed to note the correspondence",
]
NOT_ITEMS = [
    "The meeting closed at 8.40 pm",
    "Councillor Jones said that the footpath had been very muddy over the winter",
    "Members discussed the condition of the play area",
    "Apologies were received from Councillor Brown",
]


@pytest.fixture(scope="module")
def model():
    return load()


def test_the_shipped_model_loads_from_models_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the classifier tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    load.cache_clear()
    model = load()
    assert classify.MODEL_DIR.is_relative_to(train.ROOT / "models")
    assert set(model.get_pipe("textcat_multilabel").labels) == {ITEM, ACTION}


def test_a_missing_model_says_to_run_make_train(tmp_path):
    with pytest.raises(classify.ModelMissing, match="make train"):
        load(tmp_path)


def test_it_tells_items_and_actions_from_discussion(model):
    cats = scores(model, ITEMS_AND_ACTIONS + ITEMS_NOT_ACTIONS + NOT_ITEMS)
    got = [(c[ITEM] >= 0.5, c[ACTION] >= 0.5) for c in cats]
    want = (
        [(True, True)] * len(ITEMS_AND_ACTIONS)
        + [(True, False)] * len(ITEMS_NOT_ACTIONS)
        + [(False, False)] * len(NOT_ITEMS)
    )
    assert got == want


def test_training_never_sees_the_held_out_documents():
    files = train.training_gold()
    assert files and not {p.stem for p in files} & set(HELD_OUT)
    assert len({p.stem for p in files}) == len(files)  # the seeds, gold in both sets, are learnt from once
    with pytest.raises(ValueError, match="held-out"):
        train.examples_of(train.DEV_GOLD / f"{HELD_OUT[0]}.json")


def test_examples_are_labelled_the_way_the_scorer_matches():
    examples = train.examples_of(train.CORPUS_GOLD / "seed-000.json")
    circulate = [e for e in examples if "SEND e-bulletin be circulated" in e.text]
    # the gold item and the matching candidate carry the action flag; the sentence around it only ITEM
    assert {ITEM: 1.0, ACTION: 1.0} in [e.cats for e in circulate]
    assert all(e.cats[ITEM] == 1.0 for e in circulate)
    assert any(e.cats[ITEM] == 0.0 for e in examples)


def test_the_same_seed_trains_the_same_model():
    examples = train.examples_of(train.CORPUS_GOLD / "seed-000.json") + train.examples_of(
        train.CORPUS_GOLD / "little-wrexley-pc-2025-01-21.json"
    )
    sentences = ITEMS_AND_ACTIONS + NOT_ITEMS
    first = scores(train.train(examples, seed=3, epochs=3), sentences)
    second = scores(train.train(examples, seed=3, epochs=3), sentences)
    assert first == second


def test_folds_keep_the_renderings_of_one_meeting_together():
    files = train.training_gold()
    folds = train.folds(files)
    groups = [{train.group_of(p) for p in fold} for fold in folds]
    assert sorted(p for fold in folds for p in fold) == sorted(files)
    assert all(not a & b for i, a in enumerate(groups) for b in groups[i + 1 :])
    assert len([p for p in files if train.group_of(p) == "kelsbury-tc-2025-04-08"]) == 3  # txt, pdf, docx


DOC = "minutes/northmoor-cyp-scrutiny-2025-01-14.txt"


def fields(doc):
    return [(i.text, i.action, i.owner, i.due) for i in doc.items]


def test_rules_only_gives_the_rules_output(corpus_path, nlp, monkeypatch):
    path = corpus_path(DOC)
    with configured(()):
        rules_only = fields(run(path, nlp=nlp))
    with configured(("items", "actions")):
        with_model = fields(run(path, nlp=nlp))
    monkeypatch.setattr(classify, "apply", lambda cands, actions: (cands, actions))
    with configured(("items", "actions")):
        bypassed = fields(run(path, nlp=nlp))
    assert rules_only == bypassed
    assert with_model != rules_only  # the switch is not a no-op on this document: the model flips action flags


def test_the_cli_switch_overrides_the_environment(corpus_path):
    path = str(corpus_path(DOC))
    runner = CliRunner()
    on = runner.invoke(cli, ["extract", path], env={classify.ENV: "actions"})
    off = runner.invoke(cli, ["extract", path, "--rules-only"], env={classify.ENV: "actions"})
    none = runner.invoke(cli, ["extract", path], env={classify.ENV: "none"})
    assert on.exit_code == off.exit_code == none.exit_code == 0
    actions = [[i["action"] for i in json.loads(r.output)["items"]] for r in (on, off, none)]
    assert actions[1] == actions[2] != actions[0]


def test_an_unknown_use_is_a_one_line_error(corpus_path):
    result = CliRunner().invoke(cli, ["extract", str(corpus_path(DOC))], env={classify.ENV: "owners"})
    assert result.exit_code != 0 and "unknown use owners" in result.output
