"""nianbao archive: the SQLite store, its schema, search tokenizer and CLI."""
