#!/usr/bin/env python3
"""Thin entry point: `python build.py [build|check] [options]` (see README.md)."""
import sys

from epaper.cli import main

if __name__ == "__main__":
    sys.exit(main())
