"""Project date and time formats layered over Django's locale formats (FORMAT_MODULE_PATH)."""
