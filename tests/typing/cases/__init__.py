"""User modules that the type checkers check (see ../test_typing.py)."""
