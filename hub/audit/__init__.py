"""The audit log: every staff and admin action, appended, never changed."""

from hub.audit.log import ACTIONS, AuditFilter, AuditLog, csv_lines
from hub.audit.query import AuditQuery, audit_filter

__all__ = ["ACTIONS", "AuditFilter", "AuditLog", "AuditQuery", "audit_filter", "csv_lines"]
