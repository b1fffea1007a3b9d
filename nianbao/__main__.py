"""`python -m nianbao` runs the command line, as the installed `nianbao` script does."""

from nianbao.cli import main

main()
