"""python -m pipeline.docs [--check]: regenerate docs/ (or, with --check, exit 1 if it is stale)."""

import sys

from pipeline.docs import DocsError, stale, write


def main(argv: list[str]) -> int:
    try:
        if argv == ["--check"]:
            pages = stale()
            for page in pages:
                print(f"docs/{page} is stale: run `python -m pipeline.docs`")
            return 1 if pages else 0
        if argv:
            print("usage: python -m pipeline.docs [--check]")
            return 2
        for path in write():
            print(f"wrote {path}")
        return 0
    except DocsError as exc:
        print(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
