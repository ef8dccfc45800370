"""Retention: personal and per-person data erased after a centre's retention period."""

from hub.retention.purge import PurgeReport, purge_personal

__all__ = ["PurgeReport", "purge_personal"]
