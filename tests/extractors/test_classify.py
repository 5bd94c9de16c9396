"""Classification: the winning doc type, its confidence and cues, or a typed reason to review."""

from __future__ import annotations

import pytest

from docnorm.doctypes.builtin import REGISTRY
from docnorm.extractors.classify import Cue, classify
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.errors import ClassificationError

CUES = {spec.name: spec.cues for spec in REGISTRY}


@pytest.mark.parametrize(
    ("name", "doc_type"),
    [
        ("master-services-agreement.pdf", "contract"),
        ("non-disclosure-agreement.docx", "contract"),
        ("supply-agreement.html", "contract"),
        ("lease-agreement.eml", "contract"),
        ("consulting-agreement.txt", "contract"),
        ("balance-sheet-acme-2024.html", "financial_statement"),
        ("income-statement-globex-2024.pdf", "financial_statement"),
        ("cash-flow-initech-2024.docx", "financial_statement"),
        ("income-statement-hooli-q1.eml", "financial_statement"),
        ("visit-note-diabetes.txt", "medical_record"),
        ("discharge-summary-pneumonia.pdf", "medical_record"),
        ("primary-care-note.html", "medical_record"),
        ("follow-up-asthma.docx", "medical_record"),
    ],
)
def test_examples_are_classified_with_the_cues_that_decided(
    parsed_examples: dict[str, ParsedDocument], name: str, doc_type: str
) -> None:
    decided = classify(parsed_examples[name], CUES, min_score=3.0, min_margin=0.25)
    assert decided.doc_type == doc_type
    assert decided.confidence >= 0.6
    assert decided.cues and all(cue in {c.name for c in CUES[doc_type]} for cue in decided.cues)


def test_a_memo_is_unknown(parsed_examples: dict[str, ParsedDocument]) -> None:
    with pytest.raises(ClassificationError) as caught:
        classify(parsed_examples["team-lunch-memo.txt"], CUES, min_score=3.0, min_margin=0.25)
    assert caught.value.reason == "unknown_type"


def test_a_tie_between_two_types_is_ambiguous(parsed_examples: dict[str, ParsedDocument]) -> None:
    even = {"a": [Cue("agreement", r"agreement", 2.0)], "b": [Cue("agreement_too", r"agreement", 2.0)]}
    with pytest.raises(ClassificationError) as caught:
        classify(parsed_examples["consulting-agreement.txt"], even, min_score=1.0, min_margin=0.25)
    assert caught.value.reason == "ambiguous_type"


def _text_doc(text: str) -> ParsedDocument:
    from docnorm.schemas.documents import Element, FileKind, SourceDocument

    source = SourceDocument(doc_id="0" * 64, source_uri="memory://doc", kind=FileKind.TXT, size_bytes=len(text))
    return ParsedDocument(source=source, text=text, elements=[Element(type="Text", text=text, start=0, end=len(text))])


REPORT = (
    "EXAM:\nThree views of the left wrist.\nREASON FOR EXAM:\nFall.\nFINDINGS:\nNo acute fracture. The distal "
    "radius is intact and there is no lesion.\nIMPRESSION:\nNo fracture."
)
CONTRACT_LISTING_STATEMENTS = (
    "JOINT VENTURE AGREEMENT\nThis Agreement is made by and between Alpha LLC and Beta Inc.\n"
    "The Manager shall deliver each year: a balance sheet; an income statement; a statement of cash flows.\n"
    "Profit and Loss\nProfits shall be shared equally. This Agreement shall be governed by the laws of Ohio.\n"
    "IN WITNESS WHEREOF the parties have signed this Agreement."
)
FILING_COVER = (
    "UNITED STATES SECURITIES AND EXCHANGE COMMISSION\nFORM 10-Q\nQUARTERLY REPORT PURSUANT TO SECTION 13 OR "
    "15(d) OF THE SECURITIES EXCHANGE ACT OF 1934\nThe registrant is party to a credit agreement and a lease "
    "agreement; the parties to the merger agreement agreed to terminate it."
)


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        (REPORT, "medical_record"),  # a transcribed report has clinical headings, no patient header
        (CONTRACT_LISTING_STATEMENTS, "contract"),  # statements mentioned, not titled
        (FILING_COVER, "financial_statement"),  # a periodic report's cover decides, whatever it mentions
    ],
)
def test_hard_cases_between_doc_types(text: str, doc_type: str) -> None:
    assert classify(_text_doc(text), CUES, min_score=3.0, min_margin=0.25).doc_type == doc_type
