"""epaper: a static site generator for newspaper digital editions."""

__version__ = "0.1.0"
