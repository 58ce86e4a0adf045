"""Prometheus metrics of one process (each gateway and worker is scraped on its own `/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("hotline_http_requests_total", "HTTP requests", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "hotline_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 4, 8),
)
MESSAGES = Counter("hotline_messages_total", "Citizen messages accepted into the inbox", ["channel"])
DUPLICATES = Counter("hotline_duplicate_messages_total", "Retries answered from the inbox", ["channel"])
PENDING_REPLIES = Counter(
    "hotline_pending_replies_total", "Replies sent later (budget exceeded or overload)", ["channel"]
)
STAGE_SECONDS = Histogram(
    "hotline_stage_seconds",
    "Pipeline stage latency",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
EMERGENCIES = Counter("hotline_emergencies_total", "Emergency referrals", ["service"])
WORK_ORDERS = Counter("hotline_work_orders_total", "Work orders opened", ["appeal_type"])
KB_ANSWERS = Counter("hotline_kb_answers_total", "Consultations answered from the knowledge base")
CLASSIFIER_CONFIDENCE = Histogram(
    "hotline_classifier_confidence",
    "Category confidence of classified messages",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)
QUEUE_DEPTH = Gauge("hotline_queue_depth", "Intake queue entries not yet acknowledged")
QUEUE_LAG_SECONDS = Histogram(
    "hotline_queue_lag_seconds",
    "Time from inbox to processing start",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120),
)
PROCESSING_FAILURES = Counter("hotline_processing_failures_total", "Messages whose processing raised")
