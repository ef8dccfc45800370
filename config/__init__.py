"""The motcua configuration: one TOML file, validated into frozen dataclasses.

Every package of motcua imports its settings from here; this package imports
no other package of ours. Import from the module you need (``config.schema``
for the whole file, ``config.loader`` for one section, ``config.kiosk`` for a
section's schema…): an agent on a Pi then builds only its own section's schema.
"""
