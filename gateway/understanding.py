"""Reading a message: NLU analysis plus classification, and the knowledge base's best answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import nlu
from classifier import Predictor, load_predictor, train_default
from classifier.catalogue import Catalogue, load_catalogue
from classifier.errors import ModelNotFound
from gateway.dialogue import KnowledgeAnswer, TicketView, Understanding
from gateway.settings import Settings
from gateway.store import Store

if TYPE_CHECKING:
    from knowledge.kb import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass
class Models:
    """Everything a process loads once and keeps warm: NLU pipeline, classifier, catalogue, knowledge base."""

    classifier: Predictor
    catalogue: Catalogue
    knowledge: Any | None = None

    @classmethod
    def load(cls, settings: Settings, train_if_missing: bool = True) -> Models:
        nlu.warm_up()
        try:
            classifier = _predictor(settings)
        except ModelNotFound:
            if not train_if_missing:
                raise
            train_default(settings.models_dir)
            classifier = _predictor(settings)
        return cls(classifier=classifier, catalogue=load_catalogue(settings.catalogue_path))

    def classifier_version(self) -> str:
        return str(getattr(self.classifier, "version", "loaded"))

    def reload_if_promoted(self) -> bool:
        """Switch to a model another process promoted (reads the registry file; cheap)."""
        reload = getattr(self.classifier, "reload_if_changed", None)
        if reload is None:
            serving = getattr(self.classifier, "fallback", None) or getattr(self.classifier, "serving", None)
            reload = getattr(serving, "reload_if_changed", None)
        return bool(reload()) if reload is not None else False

    def understand(self, text: str) -> Understanding:
        analysis = nlu.analyse(text)
        prediction = self.classifier.predict(analysis.normalized or text)
        payload = analysis.to_dict()
        return Understanding(
            text=text,
            normalized=analysis.normalized,
            entities=list(payload.get("entities", [])),
            emergency=payload.get("emergency"),
            utility=payload.get("utility"),
            intent=prediction.intent,
            intent_confidence=prediction.intent_confidence,
            appeal_type=prediction.appeal_type,
            category_l1=prediction.category_l1,
            category_l2=prediction.category_l2,
            category_confidence=prediction.category_confidence,
            low_confidence=prediction.low_confidence,
            ranking=tuple(prediction.ranking),
        )

    def required_details(self, understanding: Understanding) -> tuple[str, ...]:
        if not understanding.category_l1:
            return ()
        route = self.catalogue.route(understanding.category_l1, understanding.category_l2)
        return route.required_details

    def answer(self, question: str) -> KnowledgeAnswer | None:
        """The knowledge base's answer when it is confident enough to answer, else None."""
        if self.knowledge is None:
            return None
        # Another process may have reindexed after a maintainer published: one small file read.
        self.knowledge.reload_if_changed()
        result = self.knowledge.search(question)
        found = result.answer
        if found is None:
            return None
        return KnowledgeAnswer(
            article_id=str(found.id),
            title=found.title,
            answer=found.answer,
            score=float(found.score),
            source=getattr(found, "source", None),
            valid_until=_text_or_none(getattr(found, "valid_until", None)),
        )


def _predictor(settings: Settings) -> Predictor:
    return load_predictor(
        settings.models_dir,
        nlu_backend=settings.nlu_backend,
        rasa_url=settings.rasa_url,
        rasa_category_url=settings.rasa_category_url or None,
        rasa_timeout_seconds=settings.rasa_timeout_seconds,
    )


def open_knowledge(settings: Settings) -> KnowledgeBase:
    """The knowledge base, seeded on a first run, its index built if missing, warmed up."""
    from knowledge.embedding import DEFAULT_ENCODER_NAME
    from knowledge.kb import KnowledgeBase
    from knowledge.seed import load_seed_if_empty
    from knowledge.store import ArticleStore

    url = settings.resolved_database_url
    seeded = load_seed_if_empty(ArticleStore.from_url(url))
    if seeded is not None:
        log.info("knowledge base seeded: %s", seeded.to_json())
    kb = KnowledgeBase.open(
        url,
        settings.knowledge_index_dir,
        settings.embedding_model or None,
        encoder_dir=settings.models_dir / DEFAULT_ENCODER_NAME,
    )
    kb.warm_up()
    return kb


def ticket_view(store: Store, ticket: str) -> TicketView | None:
    record = store.get_work_order(ticket)
    if record is None:
        return None
    contact = record.contact or record.details.get("contact")
    return TicketView(
        ticket=record.ticket,
        status=record.status,
        appeal_type=record.appeal_type,
        category=record.category_l1,
        department=record.department,
        deadline=record.deadline.isoformat(),
        contact_last4=contact[-4:] if contact and len(contact) >= 4 else None,
        reply_text=record.reply_text,
        rating=record.rating,
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
