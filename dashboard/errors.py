"""The small error hierarchy: the CLI prints one line and exits 2, the UI shows st.error."""


class TemplateNoiseError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(TemplateNoiseError):
    """A file or argument given by the user cannot be used."""


class QueryError(TemplateNoiseError):
    """A query in queries/ failed; the message names the file."""


class SchemaError(TemplateNoiseError):
    """The database was written by a newer, unknown schema version."""
