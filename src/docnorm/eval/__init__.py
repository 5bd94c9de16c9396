"""Evaluation against gold data: dataset layouts (datasets), metrics (metrics), the runner (runner).

Import from the submodules; this package imports nothing, so no submodule waits on another.
"""
