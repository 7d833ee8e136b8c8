"""``python -m dnssec_doctor``."""

from dnssec_doctor.cli.entry import main

main()
