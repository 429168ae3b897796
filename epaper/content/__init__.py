"""The content side: load (config, editions, front matter, Markdown) and resolve (links, validation)."""
