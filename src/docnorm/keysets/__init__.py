"""Public datasets' gold keys as answered by docnorm's records (Kleister NDA, CUAD, C-CDA, SEC filings).

Each family is attached to the doc type it labels; see docnorm.keysets.base.KeySet.
"""
