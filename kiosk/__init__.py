"""motcua kiosk package."""
