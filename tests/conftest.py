"""Lets test modules share the small chapters of test_diagnosis (import mode is importlib)."""
import os
import sys
from pathlib import Path

# tests neither read nor write the user's cache of parsed formulas (test_parse_store.py
# turns it on with a temporary directory)
os.environ["DERIVE_NO_CACHE"] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent))
