"""Path converters of the project's URLs."""


class RowId:
    """A database id: digits that fit a BigAutoField. A longer number names no row: the page is
    not found (404) instead of reaching SQL that the database refuses as out of range."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
