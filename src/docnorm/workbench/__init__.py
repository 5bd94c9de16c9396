"""The review workbench (``docnorm review serve``): the queue in a browser, for many reviewers at once.

Modules: ``accounts`` (reviewers, sessions, claims), ``source`` (the document beside its fields),
``app`` (the FastAPI app, its pages and endpoints), ``templates/`` and ``static/``.
"""
