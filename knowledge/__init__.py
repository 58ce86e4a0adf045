"""Knowledge base for the 12345 gateway: maintained articles, hybrid Chinese retrieval, calibrated answers.

    from knowledge import KnowledgeBase, SearchResult, Answer
    kb = KnowledgeBase.open(database_url, index_dir, encoder=None)   # None: offline multilingual-e5-small
    result = kb.search("社保卡丢了咋补办")                              # .answer (or None), .candidates
    kb.reload_if_changed()                                            # pick up another process's reindex

`knowledge` never imports `gateway`; HTTP lives in gateway/api/knowledge.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.errors import KnowledgeError
from knowledge.models import Answer, Article, ArticleContent, Candidate, SearchResult, Status

if TYPE_CHECKING:
    from knowledge.kb import KnowledgeBase
    from knowledge.store import ArticleStore

__all__ = [
    "Answer",
    "Article",
    "ArticleContent",
    "ArticleStore",
    "Candidate",
    "KnowledgeBase",
    "KnowledgeError",
    "SearchResult",
    "Status",
]


def __getattr__(name: str) -> Any:
    # The store and the search stack pull in SQLAlchemy, numpy and bm25s: loaded on first use only.
    if name == "KnowledgeBase":
        from knowledge.kb import KnowledgeBase

        return KnowledgeBase
    if name == "ArticleStore":
        from knowledge.store import ArticleStore

        return ArticleStore
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
