"""``python -m ganbench`` entry point."""

from ganbench.cli import main

raise SystemExit(main())
