#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vivreensemble.settings")
    # A command typed on a checkout is development work; production sets DEBUG=false in its
    # environment, and the served app (vivreensemble/wsgi.py) defaults to it.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
