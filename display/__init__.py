"""motcua display package."""
