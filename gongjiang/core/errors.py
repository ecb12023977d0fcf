"""Domain errors carry a message for users in Chinese and one for the log in English."""


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, log: str | None = None, code: str = "invalid"):
        super().__init__(log or message)
        self.message = message
        self.log = log or message
        self.code = code


class NotAllowed(DomainError):
    status = 403

    def __init__(self, message="您没有权限执行此操作", *, log="permission denied", code="forbidden"):
        super().__init__(message, log=log, code=code)


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404

    def __init__(self, message="请求的资源不存在", *, log="not found", code="not_found"):
        super().__init__(message, log=log, code=code)


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, message="查询过于频繁，请十分钟后再试", *, log="rate limited", code="rate_limited"):
        super().__init__(message, log=log, code=code)


class BadInput(DomainError):
    """Input the database cannot store or compare (a number beyond 64 bits, a NUL character): refused
    with a 400, whatever view or API operation it reached."""


def as_input_error(exception) -> DomainError | None:
    """The user-facing error for an exception that bad input causes deep down (the database driver
    refusing a value), or None for every other exception, which stays a server error."""
    from django.db import DataError

    if isinstance(exception, OverflowError):
        return BadInput("输入的数字过大，请检查后重试", log=f"input overflow: {exception}")
    if isinstance(exception, DataError):
        return BadInput("输入的内容超出允许的范围或含有不允许的字符，请检查后重试", log=f"database refused input: {exception}")
    return None
