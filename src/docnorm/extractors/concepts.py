"""Canonical financial concepts (US-GAAP element names), the statement each belongs to, and the labels that mean them.

A label is matched in three steps: its normalised form is looked up in the
synonym table; failing that, the label read together with its section heading
("Diluted" under "Earnings per share:"); failing that, the closest synonym by
rapidfuzz's token-sort ratio above a strict cut-off, so that spelling and
punctuation variants map but "net income attributable to noncontrolling
interests" never becomes net income. docs/financial-concepts.md lists the concepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from docnorm.schemas.financial import StatementKind

_INCOME = StatementKind.INCOME
_BALANCE = StatementKind.BALANCE_SHEET
_CASH = StatementKind.CASH_FLOW


@dataclass(frozen=True)
class Concept:
    """One canonical concept: its US-GAAP element name, its statement and the labels that mean it."""

    name: str
    statement: StatementKind
    labels: tuple[str, ...]


CONCEPTS: tuple[Concept, ...] = (
    Concept("Revenues", _INCOME, (
        "revenue", "revenues", "total revenue", "total revenues", "net sales", "total net sales", "sales",
        "net revenue", "net revenues", "total net revenues", "net operating revenues", "operating revenues",
        "total operating revenues", "total net revenue", "sales to customers", "total sales",
        "net sales and revenues", "total net sales and revenue", "total revenues and other income",
        "total net revenues and other income", "revenues net", "net revenues and other income",
    )),
    Concept("CostOfRevenue", _INCOME, (
        "cost of revenue", "cost of revenues", "cost of sales", "cost of goods sold", "total cost of sales",
        "total cost of revenue", "total cost of revenues", "cost of products sold", "total cost of goods sold",
    )),
    Concept("GrossProfit", _INCOME, ("gross profit", "gross margin", "total gross margin", "total gross profit")),
    Concept("SellingGeneralAndAdministrativeExpense", _INCOME, (
        "selling general and administrative", "selling general and administrative expenses",
        "selling general and administrative expense", "selling and administrative expense",
        "total selling and administrative expense",
    )),
    Concept("SellingAndMarketingExpense", _INCOME, ("sales and marketing", "selling and marketing",
                                                    "marketing and sales")),
    Concept("GeneralAndAdministrativeExpense", _INCOME, ("general and administrative",
                                                         "general and administrative expenses")),
    Concept("ResearchAndDevelopmentExpense", _INCOME, (
        "research and development", "research and development expenses", "research and development expense",
    )),
    Concept("CostsAndExpenses", _INCOME, ("total costs and expenses", "costs and expenses")),
    Concept("OperatingExpenses", _INCOME, ("total operating expenses", "operating expenses")),
    Concept("OperatingIncomeLoss", _INCOME, (
        "operating income", "income from operations", "operating loss", "operating income loss",
        "earnings from operations", "loss from operations", "operating profit",
    )),
    Concept("InterestExpense", _INCOME, ("interest expense", "interest expense net")),
    Concept("InvestmentIncomeInterest", _INCOME, ("interest income", "interest and dividend income",
                                                  "investment income")),
    Concept("NonoperatingIncomeExpense", _INCOME, (
        "other income expense net", "other income net", "other expense net", "other income expense",
        "other expense income net", "other nonoperating income expense",
    )),
    Concept("AmortizationOfIntangibleAssets", _INCOME, ("amortization of intangible assets",
                                                        "amortization of purchased intangibles")),
    Concept("RestructuringCharges", _INCOME, ("restructuring charges", "restructuring and other charges",
                                              "restructuring")),
    Concept("IncomeLossBeforeIncomeTaxes", _INCOME, (
        "income before income taxes", "income before provision for income taxes", "earnings before income taxes",
        "income before taxes", "loss before income taxes", "income loss before income taxes",
    )),
    Concept("IncomeTaxExpenseBenefit", _INCOME, (
        "income tax expense", "provision for income taxes", "income taxes", "income tax expense benefit",
        "income tax provision", "provision for taxes on income", "income tax benefit expense",
    )),
    Concept("ProfitLoss", _INCOME, (
        "consolidated net income", "net income including noncontrolling interests",
        "net earnings including noncontrolling interests",
    )),
    Concept("NetIncomeLossAttributableToNoncontrollingInterest", _INCOME, (
        "net income attributable to noncontrolling interests", "net income attributable to noncontrolling interest",
        "less net income attributable to noncontrolling interests",
    )),
    Concept("NetIncomeLoss", _INCOME, (
        "net income", "net earnings", "net loss", "profit for the year", "net income attributable to parent",
    )),
    Concept("NetIncomeLossAvailableToCommonStockholdersBasic", _INCOME, (
        "net income available to common shareholders",
    )),
    Concept("EarningsPerShareBasic", _INCOME, ("basic earnings per share", "earnings per share basic")),
    Concept("EarningsPerShareDiluted", _INCOME, ("diluted earnings per share", "earnings per share diluted")),
    Concept("WeightedAverageNumberOfSharesOutstandingBasic", _INCOME, (
        "weighted average shares outstanding basic", "shares used in computing earnings per share basic",
        "weighted average common shares outstanding basic", "weighted average number of shares basic",
        "basic weighted average shares outstanding", "weighted average shares basic",
    )),
    Concept("WeightedAverageNumberOfDilutedSharesOutstanding", _INCOME, (
        "weighted average shares outstanding diluted", "shares used in computing earnings per share diluted",
        "weighted average common shares outstanding diluted", "weighted average number of shares diluted",
        "diluted weighted average shares outstanding", "weighted average shares diluted",
    )),
    Concept("CashAndCashEquivalentsAtCarryingValue", _BALANCE, ("cash", "cash and cash equivalents",
                                                                "cash and equivalents")),
    Concept("AccountsReceivableNetCurrent", _BALANCE, (
        "accounts receivable", "accounts receivable net", "trade receivables", "receivables net",
    )),
    Concept("InventoryNet", _BALANCE, ("inventory", "inventories", "merchandise inventories")),
    Concept("MarketableSecuritiesCurrent", _BALANCE, ("marketable securities", "short term investments",
                                                      "current marketable securities")),
    Concept("PrepaidExpenseAndOtherAssetsCurrent", _BALANCE, (
        "prepaid expenses and other current assets", "other current assets", "prepaid expenses",
    )),
    Concept("OtherAssetsNoncurrent", _BALANCE, ("other assets", "other non current assets", "other noncurrent assets",
                                                "other long term assets")),
    Concept("IntangibleAssetsNetExcludingGoodwill", _BALANCE, ("intangible assets net", "intangible assets",
                                                               "other intangible assets net")),
    Concept("OperatingLeaseRightOfUseAsset", _BALANCE, ("operating lease right of use assets",
                                                        "operating lease assets")),
    Concept("DeferredIncomeTaxAssetsNet", _BALANCE, ("deferred income taxes", "deferred tax assets")),
    Concept("AssetsCurrent", _BALANCE, ("total current assets",)),
    Concept("AssetsNoncurrent", _BALANCE, ("total noncurrent assets", "total non current assets")),
    Concept("PropertyPlantAndEquipmentNet", _BALANCE, (
        "property and equipment", "property plant and equipment net", "property and equipment net",
        "property plant and equipment",
    )),
    Concept("Goodwill", _BALANCE, ("goodwill",)),
    Concept("Assets", _BALANCE, ("total assets",)),
    Concept("AccountsPayableCurrent", _BALANCE, ("accounts payable",)),
    Concept("AccruedLiabilitiesCurrent", _BALANCE, ("accrued liabilities", "accrued expenses",
                                                    "accrued expenses and other current liabilities")),
    Concept("OtherLiabilitiesCurrent", _BALANCE, ("other current liabilities",)),
    Concept("OtherLiabilitiesNoncurrent", _BALANCE, ("other liabilities", "other non current liabilities",
                                                     "other noncurrent liabilities", "other long term liabilities")),
    Concept("ContractWithCustomerLiabilityCurrent", _BALANCE, ("deferred revenue", "deferred revenues",
                                                               "unearned revenue", "contract liabilities")),
    Concept("EmployeeRelatedLiabilitiesCurrent", _BALANCE, ("accrued compensation", "accrued salaries and related expenses",
                                                            "accrued compensation and benefits", "compensation and benefits")),
    Concept("AccruedIncomeTaxesCurrent", _BALANCE, ("income taxes payable", "accrued income taxes")),
    Concept("CommercialPaper", _BALANCE, ("commercial paper",)),
    Concept("ShortTermBorrowings", _BALANCE, ("short term debt", "short term borrowings", "current portion of long term debt",
                                              "current maturities of long term debt")),
    Concept("OperatingLeaseLiabilityNoncurrent", _BALANCE, ("operating lease liabilities",
                                                            "long term operating lease liabilities")),
    Concept("LiabilitiesCurrent", _BALANCE, ("total current liabilities",)),
    Concept("LiabilitiesNoncurrent", _BALANCE, ("total noncurrent liabilities", "total non current liabilities")),
    Concept("LongTermDebtNoncurrent", _BALANCE, ("long term debt", "long term debt net", "long term borrowings")),
    Concept("Liabilities", _BALANCE, ("total liabilities",)),
    Concept("CommonStockValue", _BALANCE, ("common stock", "share capital")),
    Concept("RetainedEarningsAccumulatedDeficit", _BALANCE, ("retained earnings", "accumulated deficit",
                                                             "retained earnings accumulated deficit")),
    Concept("AccumulatedOtherComprehensiveIncomeLossNetOfTax", _BALANCE, (
        "accumulated other comprehensive loss", "accumulated other comprehensive income",
        "accumulated other comprehensive income loss", "accumulated other comprehensive loss income",
    )),
    Concept("TreasuryStockValue", _BALANCE, ("treasury stock", "treasury stock at cost", "treasury shares at cost")),
    Concept("AdditionalPaidInCapital", _BALANCE, ("additional paid in capital", "capital in excess of par value")),
    Concept("MinorityInterest", _BALANCE, ("noncontrolling interests", "noncontrolling interest")),
    Concept("StockholdersEquity", _BALANCE, (
        "total shareholders equity", "shareholders equity", "equity attributable to parent",
        "total equity attributable to parent",
    )),
    Concept("StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest", _BALANCE, (
        "total equity",
    )),
    Concept("LiabilitiesAndStockholdersEquity", _BALANCE, (
        "total liabilities and shareholders equity", "total liabilities and equity",
    )),
    Concept("DepreciationDepletionAndAmortization", _CASH, ("depreciation and amortization", "depreciation")),
    Concept("NetCashProvidedByUsedInOperatingActivities", _CASH, (
        "net cash provided by operating activities", "net cash from operating activities",
        "cash provided by operating activities", "cash provided by operations", "total operating activities",
        "net cash provided by operations",
    )),
    Concept("NetCashProvidedByUsedInInvestingActivities", _CASH, (
        "net cash provided by investing activities", "net cash from investing activities",
        "cash provided by investing activities", "total investing activities",
    )),
    Concept("NetCashProvidedByUsedInFinancingActivities", _CASH, (
        "net cash provided by financing activities", "net cash from financing activities",
        "cash provided by financing activities", "total financing activities",
    )),
    Concept("ShareBasedCompensation", _CASH, ("stock based compensation", "share based compensation",
                                              "stock based compensation expense", "share based compensation expense")),
    Concept("DeferredIncomeTaxExpenseBenefit", _CASH, ("deferred income taxes", "deferred income tax expense",
                                                       "deferred income tax benefit",
                                                       "deferred income tax expense benefit")),
    Concept("PaymentsOfDividends", _CASH, ("dividends paid", "payments for dividends", "cash dividends paid",
                                           "payments of dividends")),
    Concept("PaymentsForRepurchaseOfCommonStock", _CASH, (
        "repurchases of common stock", "repurchase of common stock", "purchases of treasury stock",
        "payments for repurchase of common stock", "common stock repurchased", "treasury stock purchases",
    )),
    Concept("ProceedsFromIssuanceOfLongTermDebt", _CASH, ("proceeds from issuance of long term debt",
                                                          "proceeds from issuance of debt", "proceeds from long term debt")),
    Concept("RepaymentsOfLongTermDebt", _CASH, ("repayments of long term debt", "repayments of debt",
                                                "payments of long term debt", "repayment of debt")),
    Concept("PaymentsToAcquireBusinessesNetOfCashAcquired", _CASH, (
        "acquisitions net of cash acquired", "business acquisitions net of cash acquired",
        "payments for acquisition of businesses net of cash acquired",
    )),
    Concept("EffectOfExchangeRateOnCashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", _CASH, (
        "effect of exchange rate changes on cash cash equivalents and restricted cash",
        "effect of exchange rate changes on cash and cash equivalents", "effect of exchange rate changes on cash",
        "effect of exchange rates on cash cash equivalents and restricted cash",
    )),
    Concept("CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalentsPeriodIncreaseDecreaseIncludingExchangeRateEffect",
            _CASH, (
        "net increase decrease in cash cash equivalents and restricted cash",
        "net increase decrease in cash and cash equivalents", "net change in cash cash equivalents and restricted cash",
        "increase decrease in cash cash equivalents and restricted cash", "net increase in cash and cash equivalents",
        "net decrease in cash and cash equivalents", "net change in cash and cash equivalents",
    )),
    Concept("IncreaseDecreaseInAccountsReceivable", _CASH, ("accounts receivable", "accounts receivable net",
                                                            "receivables")),
    Concept("IncreaseDecreaseInInventories", _CASH, ("inventories", "inventory", "merchandise inventories")),
    Concept("IncreaseDecreaseInAccountsPayable", _CASH, ("accounts payable",)),
    Concept("PaymentsToAcquirePropertyPlantAndEquipment", _CASH, (
        "capital expenditures", "purchases of property and equipment", "payments for acquisition of property plant and equipment",
        "purchases of property plant and equipment", "additions to property and equipment",
    )),
)  # fmt: skip

# Wording that varies between filers without changing the meaning, rewritten before matching.
# Order matters: later rules see the output of earlier ones.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(stockholders|shareowners|shareholders)\b", "shareholders"),
        (r"\bshareholders (deficit|deficiency|equity deficit)\b", "shareholders equity"),
        (r"\b(income|earnings) loss\b|\bloss (income|earnings)\b", r"\1\2"),
        (r"\b(used in|used for|used)\b", " "),
        (r"\bgenerated\b", "provided"),
        (r"\bprovided by by\b", "provided by"),
        (r"\b(net )?(loss|earnings|income) per (common )?share( of common stock)?\b", "earnings per share"),
        (r"\b(net income|net earnings|net loss)\b(?= attributable)", "net income"),
        (
            r"\battributable to (?!noncontrolling|non controlling|minority)(?:(?!basic\b|diluted\b)\w+ ?)+",
            "attributable to parent ",
        ),
        (r"\bearnings per share attributable to parent\b", "earnings per share"),
        (r"\bnon (controlling|current|operating|cash)\b", r"non\1"),
        (r"\bassuming dilution\b", "diluted"),
        (r"\b(applicable|available) to common\b", "available to common"),
        (r"^consolidated (?=net income attributable to parent)", ""),
        (
            r"^(?:net )?cash (?:provided )?(?:by |from )?(operating|investing|financing) activities$",
            r"net cash provided by \1 activities",
        ),
        (r"^total (?!liabilities)\w+(?: \w+)? shareholders equity$", "total shareholders equity"),
        (r"^(equity|total equity) attributable to parent$", "equity attributable to parent"),
    )
)
_FUZZY_CUTOFF = 92.0


def normalise_label(label: str) -> str:
    """Lower case, ``&`` as ``and``, no punctuation, footnote marks, possessives or leading "the"."""
    text = label.lower().replace("&", " and ").replace("’", "'").replace("'s", "s").replace("s'", "s")
    text = re.sub(r"\(\d\)|\b\d\b$", " ", text)  # footnote markers such as "(1)"
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"^(the|less|add|plus) ", "", " ".join(text.split()))
    for pattern, replacement in _REWRITES:
        text = " ".join(pattern.sub(replacement, text).split())
    return text


def _index() -> dict[str, tuple[Concept, ...]]:
    index: dict[str, tuple[Concept, ...]] = {}
    for concept in CONCEPTS:
        for label in concept.labels:
            key = normalise_label(label)
            clash = [c.name for c in index.get(key, ()) if c.statement is concept.statement and c is not concept]
            if clash:
                raise ValueError(f"{concept.name} and {clash[0]} share the label {key!r} in one statement")
            if concept not in index.get(key, ()):
                index[key] = (*index.get(key, ()), concept)
    return index


_BY_LABEL = _index()
_CHOICES = list(_BY_LABEL)


@lru_cache(maxsize=16384)
def _match(text: str, fuzzy: bool = True) -> tuple[Concept, ...]:
    if not text:
        return ()
    exact = _BY_LABEL.get(text)
    if exact is not None or not fuzzy:
        return exact or ()
    best = process.extractOne(text, _CHOICES, scorer=fuzz.token_sort_ratio, score_cutoff=_FUZZY_CUTOFF)
    if best is None or _words(text) != _words(best[0]):
        return ()
    return _BY_LABEL[best[0]]


_FILLER = frozenset({"and", "of", "the", "in", "for", "from", "to", "by", "on", "net", "a"})


def _words(text: str) -> frozenset[str]:
    """The words that carry meaning, cut to six letters so inflections agree: a fuzzy match may
    reorder, inflect or drop filler ("Intangible asset amortization"), never change a word
    ("non-current" is not "current")."""
    return frozenset(word[:6] for word in text.split() if word not in _FILLER)


def _pick(found: tuple[Concept, ...], statement: StatementKind | None) -> Concept | None:
    """The statement's own reading of a label shared between statements ("Accounts receivable" is a
    balance on the balance sheet and a change in the cash-flow statement); without a statement, only
    an unshared label has a reading."""
    own = [c for c in found if c.statement is statement]
    if own:
        return own[0]
    if statement is None:
        return found[0] if len(found) == 1 else None
    return found[0] if found else None


def concept_of(label: str, section: str | None = None, statement: StatementKind | None = None) -> Concept | None:
    """The concept a statement label means, read alone or with its section heading; None when unmapped."""
    text = normalise_label(label)
    found = _pick(_match(text), statement)
    if found is None and section:
        heading = normalise_label(section)
        # A bare "Total" closes its heading: under "Earnings per share, assuming dilution" it is diluted EPS.
        candidates = (
            [_match(heading)]
            if text == "total"
            else [_match(normalise_label(f"{section} {label}")), _match(f"{heading} {text}")]
        )
        found = next((c for c in (_pick(m, statement) for m in candidates) if c is not None), None)
    return found


def concept_for(label: str, section: str | None = None, statement: StatementKind | None = None) -> str | None:
    """The canonical concept name of a statement label, or None when unmapped."""
    found = concept_of(label, section, statement)
    return found.name if found else None


def is_known_label(label: str) -> bool:
    """True when ``label`` is, once normalised, exactly a synonym of some concept (no fuzzy matching)."""
    return bool(_match(normalise_label(label), fuzzy=False))
