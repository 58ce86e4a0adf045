"""The maintainer console's classifier desk over HTTP: review agent corrections, train (a background job with
progress), evaluate a version in detail, promote it (this process switches at once; others hear it on pub/sub).

Maintainer and admin accounts only (`Authorization: Bearer <access token>` from POST /api/auth/token).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from classifier.errors import ClassifierError, ModelNotFound, PromotionRefused
from classifier.registry import PROMOTION_CHANNEL, ModelRegistry
from gateway.api.deps import ServicesDep, require
from gateway.api.errors import ErrorTranslatingRoute
from gateway.api.training_jobs import Reviews, TrainingDesk, detailed_evaluation
from gateway.auth.users import UserRecord
from gateway.workorders.lifecycle import Role

router = APIRouter(prefix="/api/training", tags=["training"], route_class=ErrorTranslatingRoute)
MaintainerUser = Annotated[UserRecord, Depends(require(Role.MAINTAINER, Role.ADMIN))]

_STATUS = {ModelNotFound: 404, PromotionRefused: 409}


def _http(error: ClassifierError) -> HTTPException:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 422)
    return HTTPException(status, detail={"code": error.code, "message": str(error)})


def _desk(request: Request) -> TrainingDesk:
    desk: TrainingDesk | None = getattr(request.app.state, "training_desk", None)
    if desk is None:
        desk = request.app.state.training_desk = TrainingDesk()
    return desk


@router.get("/corrections", summary="Agent corrections, newest first, with their review decision")
async def corrections(_user: MaintainerUser, services: ServicesDep) -> list[dict[str, Any]]:
    return await to_thread.run_sync(Reviews(services.settings.models_dir).items)


class ReviewBody(BaseModel):
    decision: Literal["accepted", "rejected"]


@router.post("/corrections/{key}/review", summary="Accept or reject one correction as training data")
async def review(key: str, body: ReviewBody, user: MaintainerUser, services: ServicesDep) -> dict[str, Any]:
    reviews = Reviews(services.settings.models_dir)
    try:
        decided = await to_thread.run_sync(reviews.decide, key, body.decision, user.username)
    except KeyError as error:
        raise HTTPException(404, detail={"code": "correction_not_found", "message": f"no correction {key}"}) from error
    return {"key": key, "review": decided}


@router.get("/models", summary="Registered model versions, newest last; `current` marks the promoted one")
async def models(_user: MaintainerUser, services: ServicesDep) -> list[dict[str, Any]]:
    registry = ModelRegistry(services.settings.models_dir)
    return [info.summary() for info in await to_thread.run_sync(registry.list)]


class TrainBody(BaseModel):
    backend: Literal["builtin", "embedding"] = "builtin"


@router.post("/jobs", status_code=202, summary="Train a new version from the data and accepted corrections")
async def start_job(
    request: Request, user: MaintainerUser, services: ServicesDep, body: TrainBody | None = None
) -> dict[str, Any]:
    from classifier.training import train

    models_dir = services.settings.models_dir
    backend = body.backend if body else "builtin"

    def trainer(progress: Any) -> dict[str, Any]:
        accepted, count = Reviews(models_dir).write_accepted()
        result = train(
            models_dir,
            backend=backend,
            corrections=accepted,
            promote="never",
            origin=f"maintain:{user.username}",
            progress=progress,
        )
        return {
            "version": result.version,
            "accepted_corrections": count,
            **{k: result.metadata.get(k) for k in ("backend", "counts", "train_seconds", "eval")},
        }

    try:
        job = _desk(request).start(trainer)
    except RuntimeError as error:
        raise HTTPException(409, detail={"code": "training_running", "message": str(error)}) from error
    return job.to_dict()


@router.get("/jobs/{job_id}", summary="A training job: status, progress (0..1), stage and result")
async def job(job_id: str, request: Request, _user: MaintainerUser) -> dict[str, Any]:
    found = _desk(request).jobs.get(job_id)
    if found is None:
        raise HTTPException(404, detail={"code": "job_not_found", "message": f"no training job {job_id}"})
    return found.to_dict()


@router.get("/models/{version}/evaluation", summary="Per-class figures, confusion matrices and the promotion verdict")
async def evaluation(version: str, _user: MaintainerUser, services: ServicesDep) -> dict[str, Any]:
    try:
        return await to_thread.run_sync(detailed_evaluation, services.settings.models_dir, version)
    except ClassifierError as error:
        raise _http(error) from error


class PromoteBody(BaseModel):
    force: bool = False


@router.post("/models/{version}/promote", summary="Make a version current unless the promotion rules refuse it")
async def promote(
    version: str, request: Request, user: MaintainerUser, services: ServicesDep, body: PromoteBody | None = None
) -> dict[str, Any]:
    from classifier import load_classifier
    from classifier.promotion import promote as do_promote

    models_dir = services.settings.models_dir
    force = bool(body and body.force)
    if force and user.role is not Role.ADMIN:
        raise HTTPException(403, detail={"code": "not_permitted", "message": "only admins override the rules"})
    try:
        report = await to_thread.run_sync(lambda: do_promote(ModelRegistry(models_dir), version, force=force))
        # This process serves the new model from its next message; other processes reload on the notice.
        request.app.state.runtime.models.classifier = await to_thread.run_sync(load_classifier, models_dir)
    except ClassifierError as error:
        raise _http(error) from error
    await services.pubsub.publish(PROMOTION_CHANNEL, version)
    return {"version": version, "current": True, "verdict": report.get("verdict"), "reasons": report.get("reasons", [])}
