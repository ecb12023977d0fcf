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
