"""Train the item/action text classifier (``make train``) and measure it by leave-documents-out validation.

Training documents: ``corpus/gold`` and the tuned dev documents (``../shared/eval/dev`` minus
:data:`pipeline.evaluate.HELD_OUT`, which are the check and never seen here). From each document:

- every candidate the rules' finder proposes, labelled the way the scorer matches (``ITEM`` when it
  matches a gold item, ``ACTION`` as that gold item's flag, unknown when it matches none);
- every sentence of the text that is no candidate, an ``ITEM`` when the scorer would match it to a gold
  item and not otherwise: the rules, fitted on these documents, propose almost nothing that is not an
  item, so the sentences are where the model learns what minutes say that is not one;
- the gold items' own texts, with their action flags.

The model is a bag-of-words (unigram and bigram) ``textcat_multilabel`` on a blank English tokenizer:
about a megabyte, trained on CPU in seconds, with a fixed seed so the same data gives the same model.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .document import Metadata
from .evaluate import HELD_OUT, load_scorer, source_of
from .extract.classify import ACTION, COMPARED, ITEM, LABELS, MODEL_DIR, text_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS_GOLD = ROOT / "corpus" / "gold"
DEV_GOLD = ROOT.parent / "shared" / "eval" / "dev"
SEED = 0
EPOCHS = 12
BATCH = 32
DROPOUT = 0.2
HASH_LENGTH = 2**16  # hashed n-gram table per label: half a megabyte on disk
MIN_WORDS = 4
SENTENCE = re.compile(r"[^\n.!?;]+(?:[.!?;]|$)", re.M)
# PDF and DOCX renderings of one meeting are one document for validation: they share their wording
RENDERING = re.compile(r"-(?:pdf|docx)$")


@dataclass(frozen=True)
class Example:
    group: str  # the meeting the text comes from; folds never split one
    text: str
    cats: dict[str, float]


def training_gold() -> list[Path]:
    """The gold files the model may learn from: never the held-out dev documents, and each document once (the
    five seeds are in both sets)."""
    corpus = sorted(CORPUS_GOLD.glob("*.json"))
    known = {p.stem for p in corpus}
    return corpus + [p for p in sorted(DEV_GOLD.glob("*.json")) if p.stem not in HELD_OUT and p.stem not in known]


def group_of(gold_path: Path) -> str:
    return RENDERING.sub("", gold_path.stem)


def examples_of(gold_path: Path, scorer=None) -> list[Example]:
    """Labelled texts of one gold document (see the module docstring)."""
    from .extract.clauses import find_candidates
    from .meta import infer_meta
    from .readers import read
    from .structure import structure

    if gold_path.stem in HELD_OUT:
        raise ValueError(f"{gold_path}: a held-out document is never trained on")
    scorer = scorer or load_scorer()
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    meta = Metadata(council=gold.get("council"), committee=gold.get("committee"), meeting_date=gold.get("meeting_date"))
    doc = read(source_of(gold, gold_path), meta)
    doc = structure(doc.with_(meta=infer_meta(doc)))
    group = group_of(gold_path)
    items = gold["items"]
    out = [Example(group, g["text"], {ITEM: 1.0, ACTION: float(bool(g.get("action")))}) for g in items]
    cands = find_candidates(doc)
    matched = {pi: gi for gi, pi in scorer.match(items, [{"text": c.text} for c in cands]).items()}
    for i, c in enumerate(cands):
        g = items[matched[i]] if i in matched else None
        out.append(Example(group, text_of(c), {ITEM: 1.0, ACTION: float(bool(g["action"]))} if g else {ITEM: 0.0}))
    seen = {c.text for c in cands}
    for m in SENTENCE.finditer(doc.text):
        text = " ".join(m.group(0).split())
        if len(text.split()) < MIN_WORDS or text in seen:
            continue
        seen.add(text)
        hit = any(scorer.text_score(g["text"], text) >= 0.5 for g in items)
        out.append(Example(group, text, {ITEM: 1.0} if hit else {ITEM: 0.0, ACTION: 0.0}))
    return out


def build_examples(gold_files: Iterable[Path]) -> list[Example]:
    scorer = load_scorer()
    return [e for p in gold_files for e in examples_of(p, scorer)]


def train(examples: list[Example], seed: int = SEED, epochs: int = EPOCHS):
    """A fresh classifier trained on ``examples``; the same examples and seed give the same model."""
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": HASH_LENGTH,
            }
        },
    )
    for label in LABELS:
        textcat.add_label(label)
    # a label missing from cats is unknown, not 0: spaCy masks it out of the loss
    data = [SpacyExample.from_dict(nlp.make_doc(e.text), {"cats": e.cats}) for e in examples]
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)
    order = list(range(len(data)))
    for _ in range(epochs):
        rng.shuffle(order)
        for batch in minibatch([data[i] for i in order], size=BATCH):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer)
    return nlp


def folds(gold_files: list[Path], k: int = 5) -> list[list[Path]]:
    """``k`` folds of whole meetings (renderings of one meeting together), dealt round-robin in sorted order."""
    groups = sorted({group_of(p) for p in gold_files})
    return [[p for p in gold_files if groups.index(group_of(p)) % k == i] for i in range(k)]


def classifier_scores(examples: list[Example], cats: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and accuracy of each label at 0.5, over the examples where it is known."""
    out = {}
    for label in LABELS:
        pairs = [(e.cats[label] >= 0.5, c[label] >= 0.5) for e, c in zip(examples, cats) if label in e.cats]
        tp = sum(1 for g, p in pairs if g and p)
        n_pred, n_gold = sum(p for _, p in pairs), sum(g for g, _ in pairs)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        acc = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
        out[label] = {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3)}
        out[label] |= {"accuracy": round(acc, 3), "n": len(pairs)}
    return out


def extraction_summary(gold_files: list[Path], uses, model=None) -> dict:
    from .evaluate import evaluate
    from .extract.classify import configured

    with configured(uses, model):
        return evaluate(gold_files).summary


def headline(s: dict) -> dict[str, float]:
    return {
        "items_f1": round(s["items"]["f1"], 3),
        "actions_f1": round(s["actions"]["f1"], 3),
        "follow_up_f1": round(s["follow_up"]["f1"], 3),
        "owner_accuracy": round(s["owner_accuracy"], 3),
    }


def cross_validate(gold_files: list[Path], k: int = 5, seed: int = SEED, echo=print) -> dict:
    """Leave-documents-out: train on k-1 folds, score the classifier and the extraction on the fold left out."""
    from .extract.classify import scores

    scorer = load_scorer()
    per_file = {p: examples_of(p, scorer) for p in gold_files}
    pooled = {name: [] for name in COMPARED}
    held_examples, predictions = [], []
    for i, fold in enumerate(folds(gold_files, k)):
        train_ex = [e for p in gold_files if p not in fold for e in per_file[p]]
        test_ex = [e for p in fold for e in per_file[p]]
        model = train(train_ex, seed)
        held_examples += test_ex
        predictions += scores(model, [e.text for e in test_ex])
        for name, uses in COMPARED.items():
            pooled[name].append(extraction_summary(fold, uses, model))
        echo(f"fold {i + 1}/{k}: {len(fold)} documents, {len(train_ex)} training texts")
    return {
        "classifier": classifier_scores(held_examples, predictions),
        "extraction": {name: headline(_merge(sums)) for name, sums in pooled.items()},
    }


def _merge(summaries: list[dict]) -> dict:
    """Pool per-fold scorer summaries by their counts (micro-averaged, as over one set)."""
    tally = load_scorer().Tally()
    tally.c = {k: sum(s["counts"][k] for s in summaries) for k in summaries[0]["counts"]}
    return tally.summary()


def save(model, path: Path = MODEL_DIR) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    model.to_disk(path)
    return path


def main(out: Path = MODEL_DIR, cv: bool = True, echo=print) -> dict:
    started = time.perf_counter()
    files = training_gold()
    examples = build_examples(files)
    model = train(examples)
    save(model, out)
    echo(f"trained on {len(files)} documents, {len(examples)} texts in {time.perf_counter() - started:.1f} s -> {out}")
    report = {}
    if cv:
        report = cross_validate(files, echo=echo)
        echo(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    import click

    @click.command()
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=MODEL_DIR, show_default=True)
    @click.option("--cv/--no-cv", default=True, show_default=True, help="Also report leave-documents-out scores.")
    def cli(out: Path, cv: bool):
        """Train the item/action classifier on the gold files (held-out dev documents excluded) into OUT."""
        main(out, cv, echo=click.echo)

    cli()
