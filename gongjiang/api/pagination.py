"""The API's one pagination: limit and offset with upper bounds, so `?limit=9223372036854775808` or a
40-digit offset is refused as bad input (422, Chinese message) before it reaches the database. Every
paginated operation uses it: `@paginate(BoundedLimitOffset)` (tests/test_api_robustness.py checks the
OpenAPI document for unbounded ones)."""
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
DEFAULT_LIMIT = 100


class BoundedLimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过条数（0–{MAX_OFFSET}）")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
