"""The `gongjiang` command: Django's management commands with the project's settings.

`gongjiang migrate`, `gongjiang policy check FILE`, `gongjiang audit verify`, ...
Also reachable as `python -m gongjiang`.
"""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongjiang", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
