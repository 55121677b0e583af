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


class BadOverride(PipelineError):
    """A correction names an action that is not in the register, a field that cannot be corrected, or a bad value."""


class PublishFailed(PipelineError):
    """The public database could not be written, or still holds a trace of a draft."""


class BadUpload(PipelineError):
    """An uploaded file is too large, empty, or not minutes in a format the readers know."""
