"""`python -m review_flow` runs the command-line interface."""

from review_flow.cli import main

main()
