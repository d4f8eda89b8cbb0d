"""The API slice: ``create_api`` and everything it builds."""
