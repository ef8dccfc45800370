"""motcua config package."""
