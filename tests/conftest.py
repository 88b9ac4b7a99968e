"""Lets test modules share the small chapters of test_diagnosis (import mode is importlib)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
