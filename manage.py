#!/usr/bin/env python
"""Django's command-line utility. Development settings unless DJANGO_SETTINGS_MODULE says else."""

import os
import sys

from src import startup


def main() -> None:
    startup.begin()  # before Django is imported (src/startup.py)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "src.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
