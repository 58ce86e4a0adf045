"""Durable records: inbound messages, conversations, work orders, emergency referrals, audit events."""

from gateway.store.database import create_engine_for, upgrade_database
from gateway.store.repository import InboundRecord, Store, WorkOrderRecord

__all__ = ["InboundRecord", "Store", "WorkOrderRecord", "create_engine_for", "upgrade_database"]
