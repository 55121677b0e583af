"""The sample corpus: gold files keep the contract in ANNOTATION.md, the manifest names every
document, and the PDF/DOCX renderings can be rebuilt from the text minutes with the same words."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import docx
import pdfplumber
import pytest
from click.testing import CliRunner

from pipeline import corpus_formats
from pipeline.document import ITEM_KINDS

CORPUS = Path(__file__).resolve().parents[1] / "corpus"  # until tests/conftest.py offers corpus_path
GOLD_FILES = sorted((CORPUS / "gold").glob("*.json"))
DOCUMENTS = sorted(
    p.relative_to(CORPUS).as_posix()
    for pattern in ("minutes/*.txt", "seeds/*.txt", "generated/*.pdf", "generated/*.docx")
    for p in CORPUS.glob(pattern)
)
RENDERINGS = [(stem, fmt) for stem in corpus_formats.RENDERED for fmt in corpus_formats.FORMATS]

GOLD_KEYS = {"id", "source", "format", "council", "committee", "meeting_date", "items"}
ITEM_KEYS = {"kind", "action", "text", "owner", "due", "due_text"}
DUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
RUNNING_BAND = 48  # points at the top and bottom of a generated PDF page that hold the running header and footer
# the scorer drops punctuation; gold may straighten a curly quote the document prints
_SAME_CHAR = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_SAME_CHAR)).strip()


def pdf_text(path: Path, body_only: bool = False) -> str:
    """The text pdfplumber finds, optionally without the running header and footer."""
    with pdfplumber.open(path) as pdf:
        pages = [p.crop((0, RUNNING_BAND, p.width, p.height - RUNNING_BAND)) if body_only else p for p in pdf.pages]
        return "\n".join(page.extract_text() or "" for page in pages)


def docx_text(path: Path) -> str:
    """Paragraph text then table cell text, as plain python-docx gives it."""
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def document_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return pdf_text(path, body_only=True)
    if path.suffix == ".docx":
        return docx_text(path)
    return path.read_text(encoding="utf-8")


def is_date(value: str) -> bool:
    """True for YYYY, YYYY-MM and YYYY-MM-DD values that name a real year, month or day."""
    if not DUE.match(value):
        return False
    pieces = [int(x) for x in value.split("-")] + [1] * (3 - value.count("-") - 1)
    try:
        dt.date(*pieces)
    except ValueError:
        return False
    return True


def item_problems(item: dict) -> list[str]:
    """Every way ``item`` breaks the contract, as short messages (empty when it keeps it)."""
    problems = []
    if missing := ITEM_KEYS - item.keys():
        return [f"missing {sorted(missing)}"]
    if item["kind"] not in ITEM_KINDS:
        problems.append(f"kind {item['kind']!r}")
    if not isinstance(item["action"], bool):
        problems.append("action is not a bool")
    text = item["text"]
    if not isinstance(text, str) or not text.strip() or text != text.strip() or text.endswith("."):
        problems.append("text is empty, padded or ends with a full stop")
    owner = item["owner"]
    owners = owner if isinstance(owner, list) else [owner]
    if owner is not None and (not owners or not all(isinstance(o, str) and o.strip() for o in owners)):
        problems.append(f"owner {owner!r}")
    if item["action"] is False and owner is not None:
        problems.append("owner given for a non-action")
    if item["due"] is not None and not (isinstance(item["due"], str) and is_date(item["due"])):
        problems.append(f"due {item['due']!r}")
    if item["action"] is False and item["due"] is not None:
        problems.append("due given for a non-action")
    if item["due_text"] is not None and not isinstance(item["due_text"], str):
        problems.append("due_text is not a string")
    return problems


def occurs_in(text: str, document: str) -> bool:
    """True when ``text`` is in ``document`` whole, or as a lead-in and a sub-point printed apart."""
    words = text.split(" ")
    return text in document or any(
        " ".join(words[:k]) in document and " ".join(words[k:]) in document for k in range(1, len(words))
    )


def manifest_rows() -> list[dict[str, str]]:
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- gold files ----------------------------------------------------------------------------


def test_the_corpus_has_gold_for_at_least_ten_sample_minutes_and_the_five_seeds():
    sources = {load(p)["source"] for p in GOLD_FILES}
    assert len([s for s in sources if s.startswith("minutes/")]) >= 10
    assert len([s for s in sources if s.startswith("seeds/")]) == 5


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_file_keeps_the_contract(path: Path):
    gold = load(path)
    assert gold.keys() >= GOLD_KEYS
    assert gold["id"] == path.stem
    source = CORPUS / gold["source"]
    assert source.is_file(), f"{gold['source']} does not exist under corpus/"
    assert gold["format"] == source.suffix.lstrip(".")
    assert gold["meeting_date"] is None or (len(gold["meeting_date"]) == 10 and is_date(gold["meeting_date"]))
    assert gold["items"]
    problems = {i: p for i, item in enumerate(gold["items"]) if (p := item_problems(item))}
    assert problems == {}


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_every_gold_item_is_worded_as_its_document_prints_it(path: Path):
    gold = load(path)
    document = squeeze(document_text(CORPUS / gold["source"]))
    absent = [item["text"] for item in gold["items"] if not occurs_in(squeeze(item["text"]), document)]
    assert absent == []


def test_the_three_meetings_of_one_committee_are_in_date_order_and_later_ones_report_back():
    golds = [load(p) for p in sorted((CORPUS / "gold").glob("northmoor-cyp-scrutiny-2025-??-??.json"))]
    assert [g["meeting_date"] for g in golds] == ["2025-01-14", "2025-03-11", "2025-05-13"]
    assert len({(g["council"], g["committee"]) for g in golds}) == 1
    later = (CORPUS / "minutes/northmoor-cyp-scrutiny-2025-05-13.txt").read_text(encoding="utf-8")
    assert "Ref | Action | Owner | Due | Status" in later


# --- manifest ------------------------------------------------------------------------------


def test_manifest_has_the_agreed_columns():
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["path", "council", "committee", "meeting_date", "url"]


def test_every_manifest_path_exists():
    assert [r["path"] for r in manifest_rows() if not (CORPUS / r["path"]).is_file()] == []


def test_every_corpus_document_is_in_the_manifest_once():
    paths = [r["path"] for r in manifest_rows()]
    assert [p for p in DOCUMENTS if paths.count(p) != 1] == []
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_manifest_agrees_with_the_gold_file(path: Path):
    gold = load(path)
    row = {r["path"]: r for r in manifest_rows()}[gold["source"]]
    expected = {k: gold.get(k) or "" for k in ("council", "committee", "meeting_date", "url")}
    assert {k: row[k] for k in expected} == expected


# --- generated PDF and DOCX ------------------------------------------------------------------


@pytest.fixture(scope="module")
def rerun(tmp_path_factory) -> Path:
    """The generator re-run into a fresh folder (documents in ``out/``, gold in ``gold/``)."""
    root = tmp_path_factory.mktemp("rerun")
    corpus_formats.render_all(CORPUS, root / "out", root / "gold")
    return root


@pytest.mark.parametrize(("stem", "fmt"), RENDERINGS)
def test_rerun_gives_the_committed_text(rerun: Path, stem: str, fmt: str):
    extract = pdf_text if fmt == "pdf" else docx_text
    assert extract(rerun / "out" / f"{stem}.{fmt}") == extract(CORPUS / "generated" / f"{stem}.{fmt}")


@pytest.mark.parametrize(("stem", "fmt"), RENDERINGS)
def test_rerun_gives_the_committed_gold(rerun: Path, stem: str, fmt: str):
    assert load(rerun / "gold" / f"{stem}-{fmt}.json") == load(CORPUS / "gold" / f"{stem}-{fmt}.json")


def test_rendering_is_byte_for_byte_repeatable(rerun: Path, tmp_path: Path):
    corpus_formats.render_all(CORPUS, tmp_path, tmp_path)
    changed = [p.name for p in sorted((rerun / "out").iterdir()) if p.read_bytes() != (tmp_path / p.name).read_bytes()]
    assert changed == []


@pytest.mark.parametrize(("stem", "fmt"), RENDERINGS)
def test_rendering_gold_is_the_text_gold_with_a_new_source(stem: str, fmt: str):
    rendered, text = load(CORPUS / "gold" / f"{stem}-{fmt}.json"), load(CORPUS / "gold" / f"{stem}.json")
    assert (rendered["source"], rendered["format"]) == (f"generated/{stem}.{fmt}", fmt)
    same = ("council", "committee", "meeting_date", "url", "items")
    assert {k: rendered[k] for k in same} == {k: text[k] for k in same}


@pytest.mark.parametrize("stem", corpus_formats.RENDERED)
def test_pdf_has_a_running_header_and_page_n_of_n_footer_on_every_page(stem: str):
    header = corpus_formats.running_header(load(CORPUS / "gold" / f"{stem}.json"))
    with pdfplumber.open(CORPUS / "generated" / f"{stem}.pdf") as pdf:
        lines = [(page.extract_text() or "").splitlines() for page in pdf.pages]
        total = len(pdf.pages)
    assert total > 1
    assert [(page[0], page[-1]) for page in lines] == [(header, f"Page {n} of {total}") for n in range(1, total + 1)]


def test_pdf_action_log_is_a_real_table():
    with pdfplumber.open(CORPUS / "generated" / "northmoor-cyp-scrutiny-2025-05-13.pdf") as pdf:
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    assert tables[0][0] == ["Ref", "Action", "Owner", "Due", "Status"]
    assert [row[0] for row in tables[0][1:]] == ["43/1", "44/1", "44/2", "58/1", "59/1", "60/1", "62/1"]


def test_docx_action_log_is_a_real_table():
    document = docx.Document(str(CORPUS / "generated" / "northmoor-cyp-scrutiny-2025-05-13.docx"))
    assert len(document.tables) == 1
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Ref", "Action", "Owner", "Due", "Status"]
    assert len(rows) == 8


def test_docx_sub_points_use_word_numbering_not_typed_labels():
    document = docx.Document(str(CORPUS / "generated" / "ashcombe-cabinet-2025-02-19.docx"))
    listed = [p for p in document.paragraphs if p.style.name.startswith("List Number")]
    assert len(listed) == 18
    assert all(p._p.pPr.numPr is not None for p in listed)
    assert not any(re.match(r"\((?:[a-z]|[ivx]+)\)", p.text) for p in listed)
    # (b)'s two roman sub-points sit one level down
    assert [p.style.name for p in listed].count("List Number 2") == 2


def test_docx_item_titles_are_headings():
    document = docx.Document(str(CORPUS / "generated" / "kelsbury-tc-2025-04-08.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "25.04.01 Apologies for absence"
    assert len(headings) == 15


def test_cli_writes_documents_and_gold_where_told(tmp_path: Path):
    result = CliRunner().invoke(
        corpus_formats.main, ["--out", str(tmp_path / "out"), "--gold-out", str(tmp_path / "g")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{stem}.{fmt}" for stem, fmt in RENDERINGS)
    assert len(list((tmp_path / "g").glob("*.json"))) == len(RENDERINGS)


# --- the parser the renderers share ----------------------------------------------------------


def test_parse_minutes_tells_headings_sub_points_and_table_rows_apart():
    text = (
        "ASHCOMBE DISTRICT COUNCIL\n\nCABINET\n\n117/24 Housing Allocations Policy Review\n\nRESOLVED that:\n\n"
        "(a) the Policy be adopted;\n\n(b) the Head of Housing Services be authorised to:\n\n(i) make minor amendments;"
        " and\n\n(c) the Policy be reviewed.\n\nRef | Action\n1/1 | Circulate slides\n\n"
        "1. the draft work programme be approved;\n"
    )
    parts = corpus_formats.parse_minutes(text)
    assert [(p.kind, p.number, p.level) for p in parts] == [
        ("title", None, 0),
        ("subtitle", None, 0),
        ("heading", "117/24", 0),
        ("para", None, 0),
        ("item", "(a)", 0),
        ("item", "(b)", 0),
        ("item", "(i)", 1),
        ("item", "(c)", 0),
        ("table", None, 0),
        ("item", "1.", 0),
    ]
    assert parts[8].rows == (("Ref", "Action"), ("1/1", "Circulate slides"))
    assert parts[4].list_id == parts[7].list_id != parts[9].list_id


@pytest.mark.parametrize(
    ("label", "previous", "style"),
    [
        ("(i)", [], "roman"),
        ("(i)", ["(g)", "(h)"], "letter"),
        ("(ii)", ["(a)", "(i)"], "roman"),
        ("2.", ["1."], "decimal"),
    ],
)
def test_label_style_reads_i_as_a_numeral_unless_it_follows_h(label: str, previous: list[str], style: str):
    assert corpus_formats.label_style(label, previous) == style


def test_roman_sub_points_are_top_level_when_no_letters_precede_them():
    parts = corpus_formats.parse_minutes("118/24 Rents\n\n(i) rents be increased; and\n\n(ii) garages too.\n")
    assert [(p.number, p.level) for p in parts if p.kind == "item"] == [("(i)", 0), ("(ii)", 0)]
