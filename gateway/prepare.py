"""First-run preparation: everything the configured gateway needs before the first citizen writes."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.settings import Settings
from gateway.store import upgrade_database


def prepare_all(settings: Settings) -> Iterator[str]:
    from classifier import load_classifier, train_default
    from classifier.errors import ModelNotFound

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.resolved_database_url)
    yield "database migrated"
    try:
        load_classifier(settings.models_dir)
        yield "classifier model present"
    except ModelNotFound:
        path = train_default(settings.models_dir)
        yield f"classifier model trained: {path}"
    if settings.knowledge_enabled:
        from gateway.understanding import open_knowledge

        kb = open_knowledge(settings)
        yield f"knowledge base ready: {kb.store.count()} articles, index in {settings.knowledge_index_dir}"
        kb.close()
