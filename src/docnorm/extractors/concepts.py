"""Canonical financial concepts (US-GAAP element names) and the labels that mean them.

Matching is on a normalised label (lower case, punctuation and "the" removed);
issue #9 adds fuzzy matching on top of this table.
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "Revenues": ("revenue", "revenues", "total revenue", "total revenues", "net sales", "sales", "net revenue"),
    "CostOfRevenue": ("cost of revenue", "cost of revenues", "cost of sales", "cost of goods sold"),
    "GrossProfit": ("gross profit", "gross margin"),
    "SellingGeneralAndAdministrativeExpense": (
        "selling general and administrative", "selling general and administrative expenses",
        "general and administrative", "sales and marketing",
    ),
    "ResearchAndDevelopmentExpense": ("research and development", "research and development expenses"),
    "OperatingExpenses": ("total operating expenses", "operating expenses"),
    "OperatingIncomeLoss": ("operating income", "income from operations", "operating loss"),
    "InterestExpense": ("interest expense",),
    "IncomeTaxExpenseBenefit": ("income tax expense", "provision for income taxes", "income taxes"),
    "NetIncomeLoss": ("net income", "net earnings", "net income loss", "net loss", "profit for the year"),
    "CashAndCashEquivalentsAtCarryingValue": ("cash", "cash and cash equivalents", "cash and equivalents"),
    "AccountsReceivableNetCurrent": ("accounts receivable", "accounts receivable net", "trade receivables"),
    "InventoryNet": ("inventory", "inventories"),
    "AssetsCurrent": ("total current assets",),
    "PropertyPlantAndEquipmentNet": ("property and equipment", "property plant and equipment net",
                                     "property and equipment net", "property plant and equipment"),
    "Goodwill": ("goodwill",),
    "Assets": ("total assets",),
    "AccountsPayableCurrent": ("accounts payable",),
    "AccruedLiabilitiesCurrent": ("accrued liabilities", "accrued expenses"),
    "LiabilitiesCurrent": ("total current liabilities",),
    "LongTermDebtNoncurrent": ("long term debt", "long term debt net", "long term borrowings"),
    "Liabilities": ("total liabilities",),
    "CommonStockValue": ("common stock", "share capital"),
    "RetainedEarningsAccumulatedDeficit": ("retained earnings", "accumulated deficit"),
    "StockholdersEquity": ("total stockholders equity", "total shareholders equity", "total equity"),
    "LiabilitiesAndStockholdersEquity": (
        "total liabilities and stockholders equity", "total liabilities and shareholders equity",
        "total liabilities and equity",
    ),
    "DepreciationDepletionAndAmortization": ("depreciation and amortization", "depreciation"),
    "NetCashProvidedByUsedInOperatingActivities": (
        "net cash provided by operating activities", "net cash from operating activities",
        "net cash provided by used in operating activities", "net cash used in operating activities",
    ),
    "NetCashProvidedByUsedInInvestingActivities": (
        "net cash used in investing activities", "net cash provided by investing activities",
        "net cash from investing activities",
    ),
    "NetCashProvidedByUsedInFinancingActivities": (
        "net cash used in financing activities", "net cash provided by financing activities",
        "net cash from financing activities",
    ),
    "PaymentsToAcquirePropertyPlantAndEquipment": ("capital expenditures", "purchases of property and equipment"),
}  # fmt: skip

_BY_LABEL = {label: concept for concept, labels in SYNONYMS.items() for label in labels}


def normalise_label(label: str) -> str:
    """Lower case, ``&`` as ``and``, no punctuation, no possessives or leading "the"."""
    text = label.lower().replace("&", " and ").replace("’", "'").replace("'s", "s")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"^the ", "", " ".join(text.split()))


def concept_for(label: str) -> str | None:
    """The canonical concept of a statement label, or None when unmapped."""
    return _BY_LABEL.get(normalise_label(label))
