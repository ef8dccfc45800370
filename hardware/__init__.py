"""motcua hardware package."""
