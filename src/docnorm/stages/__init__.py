"""The pipeline's stages as plain functions over micro-batches, and the run that owns their resources.

Each stage takes what it needs as arguments and returns the documents that go on and the results
of those that stopped, so every input ends in exactly one DocumentResult. The same functions run in
the flow's process, in worker processes, in a process pool and on Dask (their inputs pickle);
``open_run`` is the one place a run's worker pool, database, staging and mirror are opened.

Modules: ``documents`` (what travels between stages), ``results`` (results of stopped documents),
``parse``, ``extract``, ``prepare`` (parse and extract a micro-batch wherever the task runner put it),
``validate``, ``route`` and ``run``.
"""
