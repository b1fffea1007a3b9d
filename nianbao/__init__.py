"""The `nianbao` command line: the one module that may import the crawler, the archive and the sample portals."""
