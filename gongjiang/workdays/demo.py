"""Demo calendar: the years the package covers. 2027 is deliberately left for an administrator."""
from .services import ensure_package_years


def seed(stdout=None):
    years = ensure_package_years()
    if stdout and years:
        stdout.write(f"workdays: imported {years[0]}–{years[-1]}")
