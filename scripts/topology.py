"""Start docnorm's production topology on this machine, every component its own process; Ctrl-C stops it.

    .venv/bin/python scripts/topology.py [FOLDER]

PostgreSQL, a Prefect server on it, an S3-compatible server (moto), a Dask scheduler and two
workers, and `docnorm serve` polling FOLDER/inbox (default: a new temporary folder). Drop files
into the inbox and watch the runs in the Prefect UI; see docs/operations.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from docnorm.testing.topology import details, topology


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="docnorm-topology-"))
    with topology(root.absolute()) as node:
        for what, where in details(node).items():
            print(f"{what:<26}{where}")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
