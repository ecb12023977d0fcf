"""The demo data file (`data/demo.yaml`) that parameterises the seeders in `gongjiang/<app>/demo.py`:
every place, organisation, login, round and person of the demo is there, the seeders are generic."""
from functools import cache
from pathlib import Path

import yaml

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"


@cache
def demo_data() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


def section(name: str):
    """One app's part of the demo data (a top-level key of the file)."""
    return demo_data()[name]
