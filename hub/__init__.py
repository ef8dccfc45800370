"""motcua hub package."""
