"""Dossier codes (*mã hồ sơ*) attached to a completed ticket, and the rows that tie each
dossier to the ticket's rating: for ``motcua report dossiers`` and the ``[export]``
webhook that pushes them to the province.

Only the codes are kept, no other data of the citizen; they are personal data and
go with the ticket when ``motcua purge`` erases it.
"""

from hub.dossiers.codes import clean_codes
from hub.dossiers.export import EXPORT, DossierExporter
from hub.dossiers.rows import HEADERS, DossierRow, dossier_rows
from hub.dossiers.store import attach_dossiers

__all__ = [
    "EXPORT",
    "HEADERS",
    "DossierExporter",
    "DossierRow",
    "attach_dossiers",
    "clean_codes",
    "dossier_rows",
]
