"""``python -m gvckit``: the command line."""

from gvckit.cli import run

if __name__ == "__main__":
    run()
