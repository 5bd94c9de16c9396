"""Clause detection: for each of the 33 CUAD clause types, whether a contract contains it, with the
clause's sentence as evidence.

Each type is a small set of phrasings lawyers use for it (``CLAUSES``), matched within one
sentence; a type is present when one of them matches. The phrasings are general contract
language, not text of any particular agreement.
"""

from __future__ import annotations

import re

from docnorm.schemas.contract import Clause
from docnorm.schemas.documents import ParsedDocument

_S = r"[^.;]{0,160}?"  # within one sentence
_LICENSE = r"licen[cs]e"

CLAUSES: dict[str, tuple[str, ...]] = {
    "most_favored_nation": (r"most favou?red (?:nation|customer|licensee)", r"no less favou?rable (?:terms|prices?|pricing)",
                            r"(?:terms|prices?|pricing) (?:at least )?as favou?rable as"),
    "competitive_restriction_exception": (rf"notwithstanding{_S}(?:compet|exclusiv)",
                                          rf"notwithstanding the (?:foregoing|above){_S}(?:may|shall be free to|is free to) (?:include|display|offer|sell|market|enter|appear|continue)",
                                          rf"(?:shall|will) not (?:be deemed to )?(?:limit|prohibit|restrict|prevent){_S}(?:compet|right to)",
                                          r"exclusivity (?:obligations|provisions|restrictions)"),
    "non_compete": (r"\bnot\b[^.;]{0,40}\bcompete\b", r"non-?compet", rf"(?:shall|will|may) not{_S}(?:engage|participate|invest|offer|sell|promote|distribute){_S}(?:compet|similar)",
                    r"competing (?:products?|business|services?)", r"directly competiti",
                    rf"(?:will|shall) not (?:endorse|advertise|promote){_S}(?:compet|other product)", r"\bcompetitors?\b[^.;]{0,80}(?:shall not|may not|will not)"),
    "exclusivity": (r"(?<!non-)(?<!non)\bexclusive (?:and sole )?(?:right|license|licensee|distribut\w*|supplier|provider|basis|"
                    r"agent|partner|territory|dealer|reseller|sponsor|marketing|relationship|arrangement|operation)",
                    r"(?<!non-)(?<!non)\bexclusiv(?:ely|ity)\b",
                    r"\bsole (?:and exclusive )?(?:distributor|supplier|provider|source|licensee|agent|partner)\b",
                    rf"(?:shall|will) not (?:conduct|establish|enter into){_S}(?:any other|same or similar|similar){_S}(?:business|relationship|arrangement)"),
    "no_solicit_of_customers": (rf"solicit{_S}(?:customers?|clients?|accounts)",),
    "no_solicit_of_employees": (rf"(?:not|refrain from){_S}(?:solicit|recruit|hire)\w*{_S}(?:employees?|personnel|staff)\b",
                                r"non-?solicitation of (?:employees|personnel)"),
    "non_disparagement": (r"disparag",),
    "termination_for_convenience": (r"terminat\w*[^.;]{0,80}(?:for (?:any reason|convenience|no reason)|without cause)",
                                    r"(?:terminat\w*|cancell?able|withdraw)[^.;]{0,60}at any time",
                                    rf"(?:may|shall have the right to) terminat\w*{_S}(?:upon|by giving|on|with) (?:\w+ )?\(?\d*\)? ?(?:days|months)'? (?:prior )?(?:written )?notice",
                                    r"until terminated by (?:either|any) party"),
    "rofr_rofo_rofn": (r"right of first (?:refusal|offer|negotiation)", r"first right (?:of|to) (?:refus|negotiat|offer)"),
    "change_of_control": (r"change (?:of|in) (?:control|ownership)",
                          rf"(?:merger|consolidation|acquisition|sale of all or substantially all){_S}(?:assign|terminat|consent)"),
    "anti_assignment": (rf"(?:shall|may|will) not{_S}(?:assign|transfer)", r"not be (?:assign|transferr)(?:ed|able)",
                        r"\bnon-?assignable\b", rf"(?:assign|transfer)\w*{_S}(?:without|subject to){_S}(?:consent|approval)",
                        rf"attempt\w* to (?:assign|transfer){_S}(?:void|null)",
                        r"neither party (?:shall|may|will) (?:have the right to )?(?:assign|transfer)",
                        rf"(?:right|rights) to assign{_S}(?:consent|approval)"),
    "revenue_profit_sharing": (r"royalt(?:y|ies)", r"percent(?:age)?\s*\(?[\d.]*%?\)?\s*of (?:the )?(?:aggregate|net|gross|total)",
                               r"\d%\)?\s*of (?:the )?(?:aggregate|net|gross|total)", r"(?:revenue|profit)s?[- ]shar", r"percent(?:age)? of (?:the |all )?(?:net |gross )?(?:revenues?|sales|profits?|receipts)",
                               r"%\)? of (?:the |all )?(?:net |gross )?(?:revenues?|sales|profits?|receipts)"),
    "price_restrictions": (r"(?:shall|may) not (?:increase|raise|change) (?:the |its )?(?:prices?|fees?|rates?)",
                           r"prices? (?:shall|will) (?:remain|be) (?:fixed|firm)"),
    "minimum_commitment": (r"minimum (?:purchase|order|quantit|commitment|volume|annual|royalt|sales|guarantee|fee|payment)",
                           r"(?:shall|agrees? to) (?:purchase|order|buy) (?:at least|no less than|a minimum)"),
    "volume_restriction": (r"(?:shall not|may not) (?:purchase|order|sell|produce|manufacture) (?:more|in excess) than",
                           r"maximum (?:number|quantit|volume|amount) of (?:units|products|licenses|copies|users)"),
    "ip_ownership_assignment": (r"(?:hereby )?assigns?[^.;]{0,60}all (?:of (?:its|their) )?right,? title,? and interest",
                                rf"(?:shall|will) be (?:owned by|the (?:sole |exclusive )*property of){_S}",
                                r"(?:shall|will) (?:vest|belong) (?:solely |exclusively )?(?:in|to)",
                                r"works? made for hire", r"shall (?:be|become) the (?:sole (?:and exclusive )?)?(?:and exclusive )?property of"),
    "joint_ip_ownership": (r"joint(?:ly)? own", r"\bco-?own", r"joint (?:intellectual property|inventions?|developments?|works?)"),
    "license_grant": (rf"grants?\s+(?:to\s+\w+\s+)?(?:an?\s+)?(?:[\w-]+[ ,]+){{0,8}}{_LICENSE}", rf"hereby {_LICENSE}s",
                      rf"{_LICENSE}d? (?:to|under) (?:use|the)"),
    "non_transferable_license": (r"non-?transferable", r"not transferable"),
    "affiliate_license_licensor": (rf"(?:licensor|company)(?:'s)?{_S}(?:and|or) its affiliates{_S}(?:grant|{_LICENSE})",),
    "affiliate_license_licensee": (rf"{_LICENSE}{_S}(?:to|and) (?:its|their) (?:affiliates|subsidiaries)",
                                   rf"(?:affiliates|subsidiaries){_S}(?:may|shall have the right to) (?:use|exercise){_S}{_LICENSE}"),
    "unlimited_all_you_can_eat_license": (r"unlimited (?:number of )?(?:licen|copies|users|use|deployment)",),
    "irrevocable_or_perpetual_license": (rf"(?:perpetual|irrevocable){_S}{_LICENSE}", rf"{_LICENSE}{_S}(?:perpetual|irrevocable)"),
    "source_code_escrow": (rf"source code{_S}escrow", rf"escrow{_S}source code"),
    "post_termination_services": (rf"(?:after|following|upon|subsequent to) (?:the )?(?:expiration|termination|expiry){_S}(?:continue to|transition|wind[- ]?down|sell[- ]off|sell (?:its|any|the) remaining|remaining (?:inventory|stock)|shall (?:continue|provide)|consulting services)",
                                  rf"(?:for a period of|until|at least){_S}(?:after|following) (?:the )?(?:expiration|termination|expiry)",
                                  rf"(?:continue|survive|retained){_S}(?:after|following) (?:the )?(?:expiration|termination)",
                                  r"transition (?:services|assistance|period)", r"sell[- ]off period"),
    "audit_rights": (r"\baudit", r"inspect (?:and copy )?(?:the |its |such )?(?:books|records)", r"books and records"),
    "uncapped_liability": (rf"(?:limitation|exclusion)s?{_S}shall not apply{_S}(?:indemnif|gross negligence|willful|breach of)",
                           rf"(?:except|other than|excluding){_S}(?:indemnif|gross negligence|willful misconduct){_S}(?:liab|exceed)"),
    "cap_on_liability": (rf"(?:in no event|under no circumstances){_S}liab", rf"liabilit\w*{_S}(?:shall not exceed|limited to|not to exceed|in excess of)",
                         r"limitation (?:of|on) liabilit", r"(?:not|never) be liable (?:to \w+ )?for (?:any )?(?:indirect|consequential|special|incidental|punitive)",
                         rf"(?:neither party|no party|not){_S}(?:liable|responsible){_S}(?:indirect|consequential|special|incidental|punitive|exemplary|lost profits)"),
    "liquidated_damages": (r"liquidated damages", r"(?:early )?termination fee", r"as a penalty"),
    "warranty_duration": (rf"warrant\w*{_S}(?:for a period of|period of)\s+(?:\w+\s+)?\(?\d*\)?\s*(?:days|months|years)",
                          r"warranty period"),
    "insurance": (rf"\binsurance\b{_S}(?:maintain|coverage|policy|policies|insured|carrier)", rf"maintain{_S}insurance"),
    "covenant_not_to_sue": (r"covenant not to sue", rf"(?:not to|shall not|will not) (?:sue|contest|challenge){_S}(?:validity|ownership|patent|trademark|rights)"),
    "third_party_beneficiary": (r"third[- ]party beneficiar",),  # vetoed when the sentence says there is none
}  # fmt: skip

# A sentence that matches a clause's pattern but says the opposite ("no third-party beneficiaries").
VETOES: dict[str, str] = {
    "third_party_beneficiary": r"\b(?:no|not|nothing|none)\b",
    "exclusivity": r"non-?exclusive|sole and exclusive remed|exclusive (?:jurisdiction|venue|forum)",
    "termination_for_convenience": r"\b(?:breach|default|insolven|bankrupt|fails? to)",
}

_COMPILED = {kind: [re.compile(p, re.IGNORECASE) for p in patterns] for kind, patterns in CLAUSES.items()}
_VETOED = {kind: re.compile(p, re.IGNORECASE) for kind, p in VETOES.items()}


def detect_clauses(doc: ParsedDocument) -> list[Clause]:
    """Every clause type the contract contains, each with the first sentence that says it."""
    return [clause for kind in CLAUSES if (clause := _first(doc, kind)) is not None]


def _first(doc: ParsedDocument, kind: str) -> Clause | None:
    veto = _VETOED.get(kind)
    hits = sorted(
        (match for pattern in _COMPILED[kind] for match in pattern.finditer(doc.text)), key=lambda m: m.start()
    )
    for match in hits:
        start, end = _sentence(doc.text, match.start(), match.end())
        if veto is None or not veto.search(doc.text[start:end]):
            return Clause(kind=kind, evidence=doc.evidence(start, end, "clause_pattern"))
    return None


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, at most ~400 characters either side."""
    left = max(text.rfind(". ", max(0, start - 400), start), text.rfind("\n\n", max(0, start - 400), start))
    right_candidates = [i for i in (text.find(". ", end, end + 400), text.find("\n\n", end, end + 400)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else min(len(text), end + 400)
    return (left + 2 if left >= 0 else max(0, start - 400)), right
