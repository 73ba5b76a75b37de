"""pathmove: migrate paths in a repository and rewrite every reference."""

__version__ = "0.1.0"
