#!/usr/bin/env python3
"""Thin entry point: `python build.py [build|check] [options]` (see README.md)."""

from epaper.cli import run

if __name__ == "__main__":
    run()
