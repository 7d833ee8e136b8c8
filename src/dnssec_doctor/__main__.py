"""``python -m dnssec_doctor``."""

from dnssec_doctor.cli.main import main

main()
