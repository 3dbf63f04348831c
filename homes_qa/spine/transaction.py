"""Services: the only code that changes state. Each call is one transaction, audited."""


class ServiceError(ValueError):
    """A request the service refuses; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
