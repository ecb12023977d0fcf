import pytest


@pytest.fixture
def year_2026(db):
    """2026 as seeded by the data migration (re-imported from the package if a transactional test
    elsewhere in the session flushed the tables)."""
    from gongjiang.workdays import services
    from gongjiang.workdays.models import CalendarYear

    assert services.year_ready(2026)
    return CalendarYear.objects.get(year=2026)
