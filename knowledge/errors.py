"""The knowledge package's exceptions. Each carries a stable code; only `gateway/` maps them to HTTP."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class. `code` is stable and machine-readable; the message is for people."""

    code = "kb_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EncoderError(KnowledgeError):
    """The sentence encoder cannot be built or loaded."""

    code = "kb_encoder"


class ArticleNotFound(KnowledgeError):
    code = "kb_article_not_found"


class InvalidArticle(KnowledgeError):
    """An article fails validation (missing title, no question, bad dates ...)."""

    code = "kb_invalid_article"


class InvalidTransition(KnowledgeError):
    """A status change the workflow does not allow (e.g. draft -> published without review)."""

    code = "kb_invalid_transition"


class VersionConflict(KnowledgeError):
    """An edit was based on an older version than the stored one."""

    code = "kb_version_conflict"


class ImportFormatError(KnowledgeError):
    """An import file cannot be parsed or has the wrong columns / front matter."""

    code = "kb_import_format"


class SearchIndexError(KnowledgeError):
    """The persisted search index is missing, corrupt or from another encoder."""

    code = "kb_index"


class EvaluationDataError(KnowledgeError):
    code = "kb_eval_data"
