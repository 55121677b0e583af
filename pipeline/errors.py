"""One exception per failure kind; every message is one line starting with the path."""


class PipelineError(Exception):
    """Base class: anything the pipeline reports to the user as a one-line error."""


class UnsupportedFormat(PipelineError):
    """The bytes are not text, HTML, PDF or DOCX."""


class UnreadableDocument(PipelineError):
    """The file is corrupt, encrypted, too large, or has no usable text layer."""


class EmptyDocument(PipelineError):
    """The file holds no text at all."""


class NoPatterns(PipelineError):
    """A pattern file in models/patterns is missing or empty."""


class BadPatternFile(PipelineError):
    """A pattern file in models/patterns is not valid JSONL."""


class BadManifest(PipelineError):
    """The manifest CSV is missing a column or names a file that does not exist."""


class StoreLocked(PipelineError):
    """The database stayed locked by another writer past the busy timeout."""


class BadDatabase(PipelineError):
    """The --db file exists but is not an SQLite database."""
