class DomainError(Exception):
    """A rule of the domain refused an operation.

    `message` is Chinese and shown to people as is; `code` is a stable machine code for the
    API and tests; `field` names the form field or import column at fault, when there is one.
    """

    def __init__(self, message: str, code: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message
