"""The Redux store core."""
