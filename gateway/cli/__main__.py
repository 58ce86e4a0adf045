"""`python -m gateway.cli` runs the `hotline` command."""

from gateway.cli import main

main()
