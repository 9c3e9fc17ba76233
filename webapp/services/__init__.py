"""Domain operations: plain arguments in, models out. Callers commit at the route boundary
unless a function says it commits."""


class DomainError(ValueError):
    """A rule of the domain refused the operation; the message is shown to the user, on the
    form's `field` when it names one. `problems` is every rule broken: this one, unless the
    error gathers several (one per field)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
        self.problems: list[DomainError] = [self]
