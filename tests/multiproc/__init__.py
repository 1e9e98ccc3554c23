"""Several real bot processes on one PostgreSQL database (see worker.py and tests/test_multiprocess.py)."""
